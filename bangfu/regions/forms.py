from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Region
from .services import label, resolve


class RegionInput(forms.TextInput):
    """A text input whose <datalist> of suggestions htmx refreshes as the user types.

    htmx sends the input's own value under the field's name, so the suggest
    URL is told which parameter holds the text. No inline script: the page's
    Content-Security-Policy forbids it.
    """

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        list_id = f"{widget_attrs.get('id') or name}-options"
        widget_attrs.update(
            {
                "list": list_id,
                "autocomplete": "off",
                "hx-get": f"{reverse('regions:suggest')}?param={name}",
                "hx-trigger": "keyup changed delay:300ms",
                "hx-target": f"#{list_id}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        context["widget"]["list_id"] = list_id
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        html = self._render(self.template_name, context, renderer)
        return format_html('{}<datalist id="{}"></datalist>', html, context["widget"]["list_id"])


class RegionField(forms.CharField):
    """A region typed by name or code; an ambiguous name lists the candidates to pick from.

    The error lists each candidate's full path and key; typing the key (or
    picking it from the suggestions) selects it.
    """

    widget = RegionInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 120)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", gettext_lazy("输入地区名称、简称或6位区划代码"))

    def prepare_value(self, value):
        if isinstance(value, Region):
            return value.code or value.name
        if isinstance(value, int):
            region = Region.objects.filter(pk=value).first()
            return (region.code or region.name) if region else value
        return value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        candidates = resolve(text)
        if not candidates:
            raise forms.ValidationError(
                _("找不到地区“%(name)s”,请检查名称或输入6位区划代码。") % {"name": text},
                code="not_found",
            )
        if len(candidates) > 1:
            listing = "、".join(label(r) for r in candidates[:12])
            if len(candidates) > 12:
                listing += _("等 %(count)d 处") % {"count": len(candidates)}
            raise forms.ValidationError(
                _("“%(name)s”对应多个地区,请输入完整名称或括号中的代码以选择其一:%(list)s")
                % {"name": text, "list": listing},
                code="ambiguous",
            )
        return candidates[0]
