"""The commands and the loader on a bare registry (no demo loaded first)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bangfu.demo.accounts import DEMO_PASSWORD
from bangfu.demo.loader import load_demo
from bangfu.orgs.models import Organisation
from bangfu.pairings.models import RegionPairing

pytestmark = pytest.mark.django_db


def test_load_demo_command_prints_summary_and_logins(registry):
    out = io.StringIO()
    call_command("load_demo", skip_regions=True, stdout=out)
    text = out.getvalue()
    assert "region pairings" in text
    assert "activities" in text and "trainees" in text and "support items" in text
    assert "sjs_coord" in text and DEMO_PASSWORD in text
    assert RegionPairing.objects.filter(helper_region__name="北京市").count() == 5


def test_load_demo_loads_the_registry_when_it_is_missing(registry, monkeypatch):
    calls = []
    monkeypatch.setattr("bangfu.demo.registry.call_command", lambda name, **kw: calls.append(name))
    call_command("load_demo", stdout=io.StringIO())
    assert calls == ["load_regions"]


def test_reset_demo_refuses_outside_demo_mode(registry, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("reset_demo", interactive=False, skip_regions=True)


def test_without_xiongan_its_school_is_filed_under_hebei(registry):
    from bangfu.regions.models import Region

    # As if the supplement had not been loaded: no region carries 133100.
    Region.objects.filter(code="133100").update(code=None)
    summary = load_demo(ensure_registry=False)
    assert any("雄安新区" in note for note in summary.notes)
    school = Organisation.objects.get(name="北京八十中雄安容东分校")
    assert school.region.code == "130000"
