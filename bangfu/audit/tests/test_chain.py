import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bangfu.audit import chain
from bangfu.audit.models import AppendOnlyError, AuditEntry
from bangfu.audit.services import record


@pytest.fixture
def trail(world):
    for i in range(5):
        record(
            "update", actor=world.coordinator, instance=world.bj9, changes={"note": ["", f"v{i}"]}
        )
    return list(AuditEntry.objects.order_by("seq"))


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_intact_chain_verifies(trail, capsys):
    call_command("verify_audit")
    assert "audit chain intact" in capsys.readouterr().out
    seqs = [e.seq for e in trail]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert all(e.prev_hash == p.hash for p, e in zip(trail, trail[1:], strict=False))


def test_altered_entry_is_reported(trail):
    victim = trail[2]
    _raw("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["篡改", victim.pk])
    finding = chain.verify(AuditEntry.objects.order_by("seq"))
    assert finding.entry_id == victim.pk and "altered" in finding.problem
    with pytest.raises(CommandError, match=f"#{victim.seq}"):
        call_command("verify_audit")


def test_removed_entry_is_reported(trail):
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [trail[2].pk])
    finding = chain.verify(AuditEntry.objects.order_by("seq"))
    assert finding.entry_id == trail[3].pk and "removed" in finding.problem


def test_inserted_entry_is_reported(trail):
    forged = trail[-1]
    _raw(
        "UPDATE audit_auditentry SET seq = seq + 1000 WHERE seq >= %s",
        [trail[3].seq],
    )
    _raw(
        "INSERT INTO audit_auditentry (seq, prev_hash, hash, at, actor_name, action, model, object_id, "
        "object_repr, changes) VALUES (%s, %s, %s, %s, '', 'delete', '', '', 'x', '{}')",
        [trail[3].seq, trail[2].hash, forged.hash, forged.at],
    )
    finding = chain.verify(AuditEntry.objects.order_by("seq"))
    assert finding is not None


def test_trail_is_append_only_inside_the_application(trail):
    entry = trail[0]
    entry.object_repr = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def test_action_rolls_back_when_its_audit_entry_cannot_be_written(world, monkeypatch):
    from bangfu.orgs import services
    from bangfu.orgs.models import Organisation

    def broken(entry):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(chain, "compute", broken)
    before = Organisation.objects.count()
    with pytest.raises(RuntimeError):
        services.create_organisation(
            actor=world.coordinator, name="新学校", kind="school", stage="primary", region=world.sjs
        )
    assert Organisation.objects.count() == before
