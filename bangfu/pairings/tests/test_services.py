import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bangfu.audit.models import AuditEntry
from bangfu.core.forms import StaleEdit
from bangfu.pairings import services
from bangfu.pairings.models import Pairing, PairingParty, PairingStatusChange, RegionPairing
from conftest import make_org

D = dt.date


def _create(world, actor=None, **overrides):
    values = {
        "actor": actor or world.coordinator,
        "mode": "one_to_one",
        "helpers": [world.wyxx],
        "recipients": [world.ncgz],
        "start_date": D(2020, 9, 1),
        "end_date": None,
    }
    values.update(overrides)
    return services.create_pairing(**values)


def _errors(exc_info) -> dict:
    return {
        k: " ".join(str(m) for e in v for m in e.messages)
        for k, v in exc_info.value.error_dict.items()
    }


def test_create_pairing_writes_parties_status_change_and_audit(world):
    pairing = _create(world, status="active")
    assert [p.organisation for p in pairing.parties.filter(side="helper")] == [world.wyxx]
    assert [p.organisation for p in pairing.parties.filter(side="recipient")] == [world.ncgz]
    change = PairingStatusChange.objects.get(pairing=pairing)
    assert (change.from_status, change.to_status) == ("", "active")
    entry = AuditEntry.objects.get(model="pairings.Pairing", object_id=str(pairing.pk))
    assert entry.action == "create" and entry.actor == world.coordinator
    # Each side is a write of its own, with its own entry.
    helper = pairing.parties.get(side="helper")
    entry = AuditEntry.objects.get(model="pairings.PairingParty", object_id=str(helper.pk))
    assert entry.action == "create" and entry.changes["organisation"] == [None, world.wyxx.pk]


def test_school_staff_creates_proposed_pairing_with_own_school_as_helper(world):
    pairing = _create(world, actor=world.helper, helpers=[world.bj9])
    assert pairing.status == "proposed"


def test_school_staff_must_put_own_school_on_helper_side(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, actor=world.helper, helpers=[world.wyxx])
    assert "本校列为帮扶方" in _errors(exc)["helpers"]


def test_school_staff_cannot_create_active_pairing(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, actor=world.helper, helpers=[world.bj9], status="active")
    assert "拟结对" in _errors(exc)["status"]


def test_pairing_an_organisation_with_itself_is_refused(world):
    count = Pairing.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(world, mode="programme", helpers=[world.wyxx], recipients=[world.wyxx, world.ncgz])
    assert "同一单位不能与自己结对" in _errors(exc)["recipients"]
    assert Pairing.objects.count() == count


@pytest.mark.parametrize("mode", ["one_to_one", "entrusted"])
def test_one_to_one_and_entrusted_need_exactly_one_each_side(world, mode):
    with pytest.raises(ValidationError) as exc:
        _create(
            world, mode=mode, helpers=[world.wyxx, world.bj9], recipients=[world.ncgz, world.xizi]
        )
    errors = _errors(exc)
    assert "恰好有 1 个帮扶方" in errors["helpers"]
    assert "恰好有 1 个受援方" in errors["recipients"]


def test_group_mode_needs_two_helpers_and_one_recipient(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, mode="group", helpers=[world.wyxx], recipients=[world.ncgz, world.xizi])
    errors = _errors(exc)
    assert "至少有 2 个帮扶方" in errors["helpers"]
    assert "恰好有 1 个受援方" in errors["recipients"]
    pairing = _create(world, mode="group", helpers=[world.wyxx, world.bj9], recipients=[world.ncgz])
    assert len(pairing.helpers()) == 2


def test_programme_accepts_many_on_both_sides(world):
    pairing = _create(
        world,
        mode="programme",
        helpers=[world.wyxx, world.bj9],
        recipients=[world.ncgz, world.xizi],
    )
    assert pairing.parties.count() == 4


def test_end_before_start_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, end_date=D(2020, 1, 1))
    assert "结束日期不能早于开始日期" in _errors(exc)["end_date"]


def test_duplicate_pairing_with_overlapping_period_is_refused_even_when_ended(world):
    world.p_bj9_xizi.status = "ended"
    world.p_bj9_xizi.end_date = D(2021, 7, 1)
    world.p_bj9_xizi.save()
    count = Pairing.objects.count()
    with pytest.raises(ValidationError) as exc:
        _create(world, helpers=[world.bj9], recipients=[world.xizi], start_date=D(2020, 9, 1))
    assert "时间重叠" in _errors(exc)["recipients"]
    assert Pairing.objects.count() == count
    # After the old one ended, the same sides may pair again.
    _create(world, helpers=[world.bj9], recipients=[world.xizi], start_date=D(2021, 9, 1))


def test_hidden_organisation_is_an_invalid_choice(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, recipients=[world.daidai])
    message = _errors(exc)["recipients"]
    assert "有效的选项" in message and world.daidai.name not in message


def test_coordinator_cannot_pair_two_schools_outside_their_scope(world):
    # Both visible to the coordinator (partner region 宁城县) but neither in 石景山区.
    with pytest.raises(ValidationError):
        _create(world, helpers=[world.nc_bureau], recipients=[world.ncgz])
    assert not Pairing.objects.filter(parties__organisation=world.nc_bureau).exists()


def test_update_pairing_changes_sides_and_keeps_existing_party_details(world):
    pairing = world.p_bj9_xizi
    party = pairing.parties.get(organisation=world.bj9)
    party.goals = "送教"
    party.save()
    services.update_pairing(
        pairing,
        actor=world.coordinator,
        version=pairing.version,
        mode="group",
        helpers=[world.bj9, world.wyxx],
        recipients=[world.xizi],
    )
    pairing.refresh_from_db()
    assert pairing.mode == "group" and pairing.version == 2
    assert set(pairing.helpers()) == {world.bj9, world.wyxx}
    assert pairing.parties.get(organisation=world.bj9).goals == "送教"
    entry = AuditEntry.objects.get(
        model="pairings.Pairing", object_id=str(pairing.pk), action="update"
    )
    assert entry.changes["mode"] == ["one_to_one", "group"]
    added = pairing.parties.get(organisation=world.wyxx)
    entry = AuditEntry.objects.get(model="pairings.PairingParty", object_id=str(added.pk))
    assert (entry.action, entry.actor) == ("create", world.coordinator)


def test_update_pairing_with_stale_version_is_refused(world):
    pairing = world.p_bj9_xizi
    services.update_pairing(pairing, actor=world.coordinator, version=1, note="一")
    with pytest.raises(StaleEdit):
        services.update_pairing(
            Pairing.objects.get(pk=pairing.pk), actor=world.coordinator, version=1, note="二"
        )
    assert Pairing.objects.get(pk=pairing.pk).note == "一"


def test_status_transitions_are_recorded_and_invalid_ones_refused(world):
    pairing = _create(world)
    services.change_pairing_status(pairing, "active", actor=world.coordinator, note="签约")
    services.change_pairing_status(pairing, "ended", actor=world.coordinator)
    with pytest.raises(ValidationError) as exc:
        services.change_pairing_status(pairing, "active", actor=world.coordinator)
    assert "不能从“已结束”变为“进行中”" in _errors(exc)["status"]
    history = list(pairing.status_changes.values_list("from_status", "to_status"))
    assert history == [("", "proposed"), ("proposed", "active"), ("active", "ended")]
    assert AuditEntry.objects.filter(object_id=str(pairing.pk), action="status").count() == 2


def test_update_party_writes_audit(world):
    party = world.p_bj9_xizi.parties.get(organisation=world.xizi)
    services.update_party(
        party, actor=world.recipient, version=1, contact_name="王老师", goals="提升"
    )
    party.refresh_from_db()
    assert party.contact_name == "王老师" and party.version == 2
    assert AuditEntry.objects.filter(
        model="pairings.PairingParty", object_id=str(party.pk)
    ).exists()


def test_region_pairing_rules(world):
    count = RegionPairing.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_region_pairing(
            actor=world.coordinator,
            helper_region=world.sjs,
            recipient_region=world.sjs,
            level="district",
            start_date=D(2020, 1, 1),
            end_date=D(2019, 1, 1),
        )
    errors = _errors(exc)
    assert "同一个地区" in errors["recipient_region"] and "结束日期" in errors["end_date"]
    with pytest.raises(ValidationError) as exc:
        services.create_region_pairing(
            actor=world.coordinator,
            helper_region=world.sjs,
            recipient_region=world.ningcheng,
            level="district",
            start_date=D(2018, 1, 1),
        )
    assert "已有对口关系" in _errors(exc)["start_date"]
    with pytest.raises(ValidationError) as exc:
        services.create_region_pairing(
            actor=world.coordinator,
            helper_region=world.nanming,
            recipient_region=world.ningcheng,
            level="district",
            start_date=D(2020, 1, 1),
        )
    assert "本辖区" in _errors(exc)["helper_region"]
    assert RegionPairing.objects.count() == count


def test_region_pairing_create_and_update_write_audit(world):
    rp = services.create_region_pairing(
        actor=world.coordinator,
        helper_region=world.sjs,
        recipient_region=world.congjiang,
        level="district",
        start_date=D(2020, 1, 1),
    )
    services.update_region_pairing(rp, actor=world.coordinator, version=1, note="补充")
    actions = list(
        AuditEntry.objects.filter(model="pairings.RegionPairing", object_id=str(rp.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_find_duplicate_ignores_different_recipient_sets(world):
    other = make_org("宁城县第二中学", world.ningcheng)
    assert services.find_duplicate([world.bj9], [world.xizi, other], D(2020, 1, 1), None) is None
    assert (
        services.find_duplicate([world.bj9], [world.xizi], D(2020, 1, 1), None) == world.p_bj9_xizi
    )
    assert PairingParty.objects.filter(organisation=other).count() == 0
