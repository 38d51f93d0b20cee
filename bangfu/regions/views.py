"""Browsing the register. Regions are public reference data: any logged-in user reads them."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from bangfu.lib import textnorm

from . import services
from .models import Region

PAGE_SIZE = 50
SUGGEST_LIMIT = 15


@login_required
@require_GET
def tree(request):
    """The provinces, or the regions matching ?q= (any script, pinyin, initials, code)."""
    query = request.GET.get("q", "").strip()
    context = {"query": query}
    if query:
        exact = services.resolve(query)
        found = (
            Region.objects.search(query)
            .exclude(pk__in=[r.pk for r in exact])
            .select_related("parent")
            .order_by("level", "sort_key")
        )
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(exact=exact, page_obj=page, results=page.object_list)
    else:
        context["provinces"] = Region.objects.filter(parent=None).order_by("sort_key")
    return render(request, "regions/tree.html", context)


@login_required
@require_GET
def detail(request, pk):
    region = get_object_or_404(Region.objects.select_related("parent__parent__parent"), pk=pk)
    children = Paginator(region.children.order_by("sort_key"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    orgs, org_count = _organisations(request.user, region)
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "ancestors": region.ancestors(),
            "aliases": region.aliases.order_by("kind", "name"),
            "page_obj": children,
            "children": children.object_list,
            "organisations": orgs,
            "organisation_count": org_count,
        },
    )


def _organisations(user, region, limit=50):
    """Organisations in the region and below that the user may see (names are not public)."""
    from bangfu.orgs.models import Organisation

    qs = Organisation.objects.visible_to(user).filter(region.subtree_q("region__"))
    return list(qs.select_related("region").order_by("sort_key")[:limit]), qs.count()


@login_required
@require_GET
def suggest(request):
    """<option>s for a RegionField's datalist: full path as label, key as value."""
    param = request.GET.get("param") or "q"
    query = request.GET.get("q") or request.GET.get(param, "")
    regions = services.suggest(query, SUGGEST_LIMIT) if textnorm.fold_query(query) else []
    return render(request, "regions/_suggest.html", {"regions": regions})
