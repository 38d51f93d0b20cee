"""Retention: purge_audit removes only entries past AUDIT_RETENTION_DAYS, and
verify_audit still verifies what is left."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from bangfu.audit.checks import audit_retention_long_enough
from bangfu.audit.models import AuditChainHead, AuditEntry
from bangfu.audit.retention import PurgeRefused, purge_expired, verify_trail
from bangfu.audit.services import record

from .helpers import fresh_chain, record_at

NOW = timezone.now()


def _days_ago(days):
    return NOW - dt.timedelta(days=days)


@pytest.fixture
def aged_trail(world):
    """Four entries past 180 days, then two within it."""
    fresh_chain()
    entries = []
    for age in (400, 300, 250, 181, 30, 1):
        entries.append(
            record_at(
                _days_ago(age),
                "update",
                actor=world.coordinator,
                instance=world.bj9,
                changes={"note": ["", f"{age} 天前"]},
            )
        )
    return entries


def _verify():
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_purge_removes_only_entries_older_than_the_retention(aged_trail, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    out = io.StringIO()
    call_command("purge_audit", stdout=out)
    assert "removed 4 audit entries" in out.getvalue()
    kept = set(AuditEntry.objects.values_list("pk", flat=True))
    assert {e.pk for e in aged_trail[4:]} <= kept
    assert not kept & {e.pk for e in aged_trail[:4]}
    head = AuditChainHead.objects.get(pk=1)
    assert (head.purged_seq, head.purged_hash) == (aged_trail[3].seq, aged_trail[3].hash)


def test_verify_audit_still_passes_after_a_purge(aged_trail):
    purge_expired(now=NOW)
    assert "audit chain intact: 3 entries" in _verify()
    # Later entries chain on, and a second purge keeps it verifiable.
    record("login", label="x")
    purge_expired(now=NOW + dt.timedelta(days=40))
    assert "audit chain intact" in _verify()


def test_the_purge_is_recorded_in_the_trail(aged_trail):
    purge_expired(now=NOW)
    entry = AuditEntry.objects.get(action="purge")
    assert entry.changes["removed"] == 4
    assert entry.changes["through_seq"] == aged_trail[3].seq
    assert entry.changes["retention_days"] == 180
    assert entry.actor_name == "manage.py purge_audit"


def test_nothing_to_purge_records_nothing(aged_trail):
    purge_expired(now=NOW, days=500)
    assert not AuditEntry.objects.filter(action="purge").exists()
    assert AuditEntry.objects.count() == 6


def test_removing_the_oldest_remaining_entry_is_detected(aged_trail):
    purge_expired(now=NOW)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [aged_trail[4].pk])
    finding, _count = verify_trail()
    assert finding is not None and "removed" in finding.problem
    with pytest.raises(CommandError, match="audit chain broken"):
        call_command("verify_audit")


def test_removing_the_newest_entries_is_detected(aged_trail):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [aged_trail[-1].pk])
    finding, _count = verify_trail()
    assert finding is not None and "newest entries removed" in finding.problem


def test_a_forged_purge_point_is_detected(aged_trail):
    """Removing old entries by hand and moving the purge point leaves no purge entry to match."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq <= %s", [aged_trail[1].seq])
    AuditChainHead.objects.filter(pk=1).update(
        purged_seq=aged_trail[1].seq, purged_hash=aged_trail[1].hash
    )
    finding, _count = verify_trail()
    assert finding is not None and "purge point" in finding.problem


def test_purge_refuses_to_erase_a_tampered_part(aged_trail):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["篡改", aged_trail[1].pk]
        )
    with pytest.raises(PurgeRefused, match="do not verify"):
        purge_expired(now=NOW)
    assert AuditEntry.objects.count() == 6


def test_retention_under_180_days_is_refused(aged_trail, settings):
    with pytest.raises(PurgeRefused):
        purge_expired(now=NOW, days=90)
    assert AuditEntry.objects.count() == 6
    settings.AUDIT_RETENTION_DAYS = 90
    with pytest.raises(CommandError, match="at least 180"):
        call_command("purge_audit")
    assert [e.id for e in audit_retention_long_enough(None)] == ["audit.E001"]
    settings.AUDIT_RETENTION_DAYS = 180
    assert audit_retention_long_enough(None) == []


def test_retention_setting_defaults_to_180_days():
    from django.conf import settings

    assert settings.AUDIT_RETENTION_DAYS >= 180


def test_the_retention_check_runs_with_manage_py_check(settings):
    from django.core import checks

    settings.AUDIT_RETENTION_DAYS = 30
    assert "audit.E001" in [e.id for e in checks.run_checks(tags=[checks.Tags.security])]
