import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bangfu.activities.models import Activity
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Pairing, PairingParty, RegionPairing
from bangfu.scale.generator import Generator, GeneratorRefused
from bangfu.scale.models import GeneratedDataset

pytestmark = pytest.mark.django_db


def checksum() -> tuple[dict, str]:
    counts = {
        m.__name__: m.objects.filter(is_generated=True).count()
        for m in (Organisation, Person, Pairing, RegionPairing, Activity)
    }
    digest = hashlib.sha256()
    rows = Activity.objects.filter(is_generated=True).order_by("id")
    for row in rows.values_list(
        "type", "start_date", "sessions", "person_times", "led_by", "recipient_region__code"
    ):
        digest.update(repr(row).encode())
    for row in Person.objects.filter(is_generated=True).order_by("id").values_list("name"):
        digest.update(repr(row).encode())
    return counts, digest.hexdigest()


def test_tiny_generation_is_deterministic_by_seed(scale_world):
    Generator("tiny", seed=7, out=lambda _: None).run()
    first = checksum()
    Generator("tiny", seed=7, out=lambda _: None).run(replace=True)
    assert checksum() == first
    Generator("tiny", seed=8, out=lambda _: None).run(replace=True)
    assert checksum()[1] != first[1]


def test_generated_rows_are_consistent(scale_world):
    Generator("tiny", seed=1, out=lambda _: None).run()
    assert Activity.objects.filter(is_generated=True).count() > 200
    assert not Activity.objects.filter(recipient_region__isnull=True).exists()
    assert not Activity.objects.filter(helper_region__isnull=True).exists()
    assert Organisation.objects.filter(name__endswith="(生成)").count() >= 20
    assert PairingParty.objects.filter(pairing__is_generated=True).count() >= 24
    for activity in Activity.objects.filter(is_generated=True)[:50]:
        assert activity.person_times >= activity.helper_headcount + activity.recipient_headcount
        assert activity.pairing.region_pairing_id == activity.region_pairing_id
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []


def test_generate_refuses_a_second_run_without_replace(scale_world):
    out = io.StringIO()
    call_command("generate", "--scale", "tiny", stdout=out)
    assert "rows/s" in out.getvalue()
    before = Activity.objects.count()
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate", "--scale", "tiny", stdout=io.StringIO())
    with pytest.raises(GeneratorRefused):
        Generator("tiny").run()
    call_command("generate", "--scale", "tiny", "--replace", stdout=io.StringIO())
    assert Activity.objects.count() == before
    assert GeneratedDataset.objects.count() == 1


def test_replace_keeps_rows_the_generator_did_not_write(scale_world):
    demo_school = Organisation.objects.create(
        name="演示小学", region=scale_world.counties[0], stage="primary", is_generated=True
    )
    Generator("tiny", out=lambda _: None).run()
    Generator("tiny", out=lambda _: None).run(replace=True)
    assert Organisation.objects.filter(pk=demo_school.pk).exists()
