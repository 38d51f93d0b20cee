import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from bangfu.audit.models import AuditEntry
from bangfu.core.forms import StaleEdit

from .. import services
from ..models import Organisation, OrganisationName, Person
from .factories import make_person, valid_id_number


def entries(instance, action):
    return AuditEntry.objects.filter(
        model=instance._meta.label, object_id=str(instance.pk), action=action
    )


def test_create_organisation_is_searchable_and_audited(world):
    org = services.create_organisation(
        actor=world.coordinator,
        name="宁城县天义小学",
        kind="school",
        stage="primary",
        region=world.ningcheng,
    )
    assert org.created_by == world.coordinator
    assert Organisation.objects.search("tianyi").filter(pk=org.pk).exists()
    entry = entries(org, "create").get()
    assert entry.actor == world.coordinator
    assert entry.changes["name"] == [None, "宁城县天义小学"]


def test_update_organisation_records_the_diff_and_bumps_version(world):
    org = world.xizi
    services.update_organisation(
        org, actor=world.coordinator, expected_version=1, address="汐子镇", short_name="汐中"
    )
    org.refresh_from_db()
    assert org.version == 2 and org.address == "汐子镇"
    changes = entries(org, "update").get().changes
    assert changes["address"] == ["", "汐子镇"]
    assert changes["short_name"] == ["汐子中学", "汐中"]
    assert Organisation.objects.search("xz").filter(pk=org.pk).exists()


def test_update_organisation_from_a_stale_version_saves_nothing(world):
    org = world.xizi
    services.update_organisation(org, actor=world.coordinator, expected_version=1, address="甲")
    stale = Organisation.objects.get(pk=org.pk)
    with pytest.raises(StaleEdit):
        services.update_organisation(
            stale, actor=world.coordinator, expected_version=1, address="乙"
        )
    org.refresh_from_db()
    assert org.address == "甲" and org.version == 2
    assert entries(org, "update").count() == 1


def test_rename_keeps_both_names_findable(world):
    org = services.create_organisation(
        actor=world.coordinator,
        name="城关小学",
        kind="school",
        stage="primary",
        region=world.ningcheng,
    )
    services.rename_organisation(
        org, "城关朝阳希望小学", actor=world.coordinator, valid_until=dt.date(2020, 8, 31)
    )
    org.refresh_from_db()
    assert org.name == "城关朝阳希望小学"
    former = OrganisationName.objects.get(organisation=org)
    assert (former.name, former.valid_until) == ("城关小学", dt.date(2020, 8, 31))
    for query in ("城关小学", "城關小學", "chengguanxiaoxue", "朝阳希望", "cgzyxwxx"):
        assert list(Organisation.objects.search(query)) == [org], query
    assert entries(org, "update").get().changes["name"] == ["城关小学", "城关朝阳希望小学"]


def test_renaming_back_and_forth_keeps_one_former_name_per_name(world):
    org = world.wyxx
    for name in ("石景山外语小学", "石景山外语实验小学", "石景山外语小学"):
        org = Organisation.objects.get(pk=org.pk)
        services.rename_organisation(org, name, actor=world.coordinator, valid_until=None)
    names = sorted(OrganisationName.objects.filter(organisation=org).values_list("name", flat=True))
    assert names == ["石景山外语实验小学", "石景山外语小学"]


def test_person_numbers_are_stored_encrypted_hashed_and_masked(world):
    number = valid_id_number()
    person = make_person(world.xizi, id_number=number, phone="13812345678")
    row = Person.objects.values().get(pk=person.pk)
    for value in row.values():
        assert number not in str(value)
        assert "13812345678" not in str(value)
    assert row["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert row["phone_masked"] == "138****5678"
    assert person.id_number() == number
    audit = entries(person, "create").get()
    assert number not in str(audit.changes) and "13812345678" not in str(audit.changes)


def test_update_person_keeps_numbers_when_none_and_replaces_when_given(world):
    person = make_person(world.xizi, id_number=valid_id_number(), phone="13812345678")
    services.update_person(person, actor=world.recipient, expected_version=1, position="教研组长")
    person.refresh_from_db()
    assert person.phone() == "13812345678" and person.position == "教研组长"
    services.update_person(person, actor=world.recipient, expected_version=2, phone="13900001111")
    person.refresh_from_db()
    assert person.phone() == "13900001111"
    assert person.id_number() == valid_id_number()
    changes = entries(person, "update").order_by("id").last().changes
    assert changes["phone_masked"] == ["138****5678", "139****1111"]


def test_reveal_is_audited_and_refused_to_other_roles(world):
    person = make_person(world.xizi, id_number=valid_id_number(), phone="13812345678")
    data = services.reveal_personal_data(person, actor=world.recipient)
    assert data == {"id_number": valid_id_number(), "phone": "13812345678"}
    assert entries(person, "reveal").get().actor == world.recipient
    for user in (
        world.helper,
        world.auditor,
        world.sysadmin,
        world.secadmin,
        world.other_coordinator,
    ):
        with pytest.raises(PermissionDenied):
            services.reveal_personal_data(person, actor=user)
    assert entries(person, "reveal").count() == 1


def test_services_refuse_unknown_fields(world):
    with pytest.raises(TypeError):
        services.create_organisation(actor=None, name="x", region=world.sjs, version=9)
