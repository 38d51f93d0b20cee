"""Small helpers for the orgs tests (the shared world lives in /conftest.py)."""

from bangfu.lib import idcard

from .. import services


def valid_id_number(first17: str = "11010519491231002") -> str:
    return first17 + idcard.check_digit(first17)


def bad_check_digit(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


def make_person(org, name="张老师", *, id_number="", phone="", **fields):
    return services.create_person(
        actor=None, organisation=org, name=name, id_number=id_number, phone=phone, **fields
    )


def org_post_data(org=None, **overrides):
    data = {
        "name": org.name if org else "",
        "short_name": org.short_name if org else "",
        "kind": org.kind if org else "school",
        "stage": org.stage if org else "primary",
        "region": (org.region.code or org.region.name) if org else "",
        "address": "",
        "note": "",
        "version": org.version if org else "",
    }
    data.update(overrides)
    return data


def person_post_data(person=None, **overrides):
    data = {
        "name": person.name if person else "",
        "kind": person.kind if person else "teacher",
        "organisation": person.organisation_id if person else "",
        "position": "",
        "subjects": "",
        "backbone_level": "",
        "id_number": "",
        "phone": "",
        "version": person.version if person else "",
    }
    data.update(overrides)
    return data
