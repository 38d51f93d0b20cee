"""Pages: paste or upload a report, review the proposed records, accept / edit / reject each."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bangfu.activities.models import ActivityType

from .extractor import extract
from .models import ReportDraft
from .reading import MAX_BYTES, UnreadableReport, read_report

KINDS = ("pairings", "activities", "money", "targets")
KIND_LABELS = {
    "pairings": gettext_lazy("结对关系"),
    "activities": gettext_lazy("活动计数"),
    "money": gettext_lazy("金额"),
    "targets": gettext_lazy("目标指标"),
}


class ReportForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200, required=False)
    text = forms.CharField(
        label=gettext_lazy("粘贴报道原文"), widget=forms.Textarea, required=False
    )
    file = forms.FileField(label=gettext_lazy("或上传文件（.txt 或 .docx）"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_BYTES:
                raise ValidationError(_("文件过大，最大 2 MB。"))
            try:
                data["text"] = read_report(upload.read())
            except UnreadableReport:
                raise ValidationError(
                    _("只能上传 UTF-8 或 GB18030 文本文件或 .docx 文档。")
                ) from None
        if not (data.get("text") or "").strip():
            raise ValidationError(_("请粘贴报道原文或上传文件。"))
        if len(data["text"]) > 200_000:
            raise ValidationError(_("原文过长。"))
        return data


def _resolvers():
    from bangfu.orgs.models import Organisation
    from bangfu.regions.services import resolve

    def find_organisations(name):
        return list(Organisation.objects.search(name)[:5])

    return {"resolve_region": resolve, "find_organisations": find_organisations}


def _draft(request, pk) -> ReportDraft:
    draft = ReportDraft.objects.visible_to(request.user).filter(pk=pk).first()
    if draft is None:
        raise Http404
    return draft


@login_required
def new(request):
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        items = extract(text, **_resolvers())
        with transaction.atomic():  # the draft and its audit entry, or neither
            draft = ReportDraft.objects.create(
                author=request.user,
                title=form.cleaned_data["title"] or text.strip().splitlines()[0][:100],
                text=text,
                items=items,
            )
        return redirect("extract:review", pk=draft.pk)
    drafts = ReportDraft.objects.visible_to(request.user)[:20]
    return render(request, "extract/new.html", {"form": form, "drafts": drafts})


def highlighted(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The text, escaped, with <mark> around each span (overlapping spans: the first wins)."""
    out, pos = [], 0
    for start, end, ref in sorted(spans):
        if start < pos or end <= start:
            continue
        out.append(escape(text[pos:start]))
        out.append(f'<mark id="{escape(ref)}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))


@login_required
def review(request, pk):
    draft = _draft(request, pk)
    sections, spans = [], []
    for kind in KINDS:
        rows = []
        for i, item in enumerate(draft.items.get(kind, [])):
            key = f"{kind}:{i}"
            ref = f"span-{kind}-{i}"
            if "start" in item:
                spans.append((item["start"], item["end"], ref))
            rows.append(
                {"key": key, "ref": ref, "item": item, "decision": draft.decisions.get(key)}
            )
        sections.append({"kind": kind, "label": KIND_LABELS[kind], "rows": rows})
    pairings = []
    if request.user.is_authenticated:
        from bangfu.pairings.models import Pairing

        pairings = Pairing.objects.visible_to(request.user).order_by("name")[:200]
    return render(
        request,
        "extract/review.html",
        {
            "draft": draft,
            "sections": sections,
            "source": highlighted(draft.text, spans),
            "types": ActivityType.choices,
            "pairings": pairings,
        },
    )


def _int(value, default=0):
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def _record_activity(request, item, values):
    """An accepted count becomes a ledger entry when a pairing and dates are given."""
    from bangfu.activities import services
    from bangfu.pairings.models import Pairing

    pairing = Pairing.objects.visible_to(request.user).filter(pk=values.get("pairing") or 0).first()
    try:
        start = dt.date.fromisoformat(values.get("start_date") or "")
        end = dt.date.fromisoformat(values.get("end_date") or values.get("start_date") or "")
    except ValueError:
        return None, _("缺少结对关系或日期，已保存为草稿。")
    if pairing is None:
        return None, _("缺少结对关系或日期，已保存为草稿。")
    count = _int(values.get("count"), item.get("count") or 0)
    unit = values.get("unit") or item.get("unit")
    fields = {
        "type": values.get("type") or ActivityType.OTHER,
        "title": (values.get("title") or item.get("text") or "")[:200],
        "start_date": start,
        "end_date": end,
        "outcome": _("由报道提取：%(text)s") % {"text": item.get("text", "")},
    }
    if unit == "人次":
        fields["person_times"] = count
    elif unit in ("场", "节", "次"):
        fields["sessions"] = max(count, 1)
    try:
        activity = services.record_activity(actor=request.user, pairing=pairing, **fields)
    except ValidationError as exc:
        return None, "；".join(exc.messages)
    return f"activity:{activity.pk}", None


@login_required
@require_POST
def decide(request, pk):
    draft = _draft(request, pk)
    key = request.POST.get("key", "")
    kind, _sep, index = key.partition(":")
    items = draft.items.get(kind) if kind in KINDS else None
    if items is None or not index.isdigit() or int(index) >= len(items):
        messages.error(request, _("无效的条目。"))
        return redirect("extract:review", pk=draft.pk)
    item = items[int(index)]
    decision = request.POST.get("decision")
    if decision not in ("accept", "reject"):
        messages.error(request, _("请选择接受或拒绝。"))
        return redirect("extract:review", pk=draft.pk)
    values = {
        k: request.POST.get(k, "").strip()
        for k in (
            "type",
            "count",
            "unit",
            "title",
            "start_date",
            "end_date",
            "pairing",
            "helper",
            "recipient",
            "amount_yuan",
        )
        if request.POST.get(k)
    }
    entry = {"decision": "accepted" if decision == "accept" else "rejected", "values": values}
    # The record, the decision and their audit entries, or none of them.
    with transaction.atomic():
        if decision == "accept" and kind == "activities":
            record, problem = _record_activity(request, item, values)
            if record:
                entry["record"] = record
                messages.success(request, _("已创建活动记录。"))
            else:
                entry["note"] = problem
                messages.info(request, problem)
        elif decision == "accept":
            messages.info(request, _("已接受，保存在草稿中。"))
        draft.decisions = {**draft.decisions, key: entry}
        draft.save(update_fields=["decisions", "updated_at"])
    return redirect("extract:review", pk=draft.pk)
