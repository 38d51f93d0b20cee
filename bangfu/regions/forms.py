from django import forms
from django.utils.translation import gettext as _

from .models import Region
from .services import resolve


class RegionField(forms.CharField):
    """A region typed by name or code; an ambiguous name lists the candidates to pick from.

    The form re-renders with the candidates' codes so the user can pick one.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 120)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", _("输入地区名称、简称或6位区划代码"))

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
                _("找不到地区“%(name)s”,请检查名称或输入6位区划代码。") % {"name": text}
            )
        if len(candidates) > 1:
            listing = "、".join(f"{r.display_path()}({r.code or r.pk})" for r in candidates[:12])
            raise forms.ValidationError(
                _("“%(name)s”对应多个地区,请输入完整名称或代码以选择其一:%(list)s")
                % {"name": text, "list": listing}
            )
        return candidates[0]
