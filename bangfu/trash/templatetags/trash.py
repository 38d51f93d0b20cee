"""``{% delete_button record %}``: the detail page's way to the recycle bin, for who may delete."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..kinds import kind_of

register = template.Library()


@register.simple_tag(takes_context=True)
def delete_button(context, record):
    request = context.get("request")
    kind = kind_of(record)
    if request is None or kind is None or not kind.can_delete(request.user, record):
        return ""
    url = reverse("trash:delete", kwargs={"kind": kind.key, "pk": record.pk})
    return format_html('<a class="button" href="{}">{}</a>', url, _("删除"))
