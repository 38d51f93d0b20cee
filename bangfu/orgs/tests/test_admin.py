from django.test import Client
from django.urls import reverse

from bangfu.audit.models import AuditEntry

from ..models import Organisation
from .factories import make_person, valid_id_number

ORGS_PERMISSIONS = frozenset(
    f"orgs.{action}_{model}"
    for action in ("view", "add", "change")
    for model in ("organisation", "organisationname", "person")
)


def test_business_models_are_out_of_the_system_administrators_reach(client_for, world):
    client = client_for("sysadmin")
    assert client.get(reverse("admin:index")).status_code == 200
    for name in ("admin:orgs_organisation_changelist", "admin:orgs_person_changelist"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("admin:orgs_organisation_add")).status_code == 403
    # The other roles are not staff at all.
    for role in ("secadmin", "auditor", "coordinator"):
        response = client_for(role).get(reverse("admin:orgs_person_changelist"))
        assert response.status_code in (302, 403), role


def opened_admin_client(world, monkeypatch):
    """An administrator allowed the organisation pages, as if they were opened to the admin:
    the admin classes below must still mask numbers and write through the services."""
    from bangfu.core import access

    monkeypatch.setitem(
        access.ADMIN_SITE_PERMISSIONS,
        "sysadmin",
        access.ADMIN_SITE_PERMISSIONS["sysadmin"] | ORGS_PERMISSIONS,
    )
    client = Client()
    client.force_login(world.sysadmin)
    return client


def test_person_admin_shows_only_masked_numbers(world, monkeypatch):
    client = opened_admin_client(world, monkeypatch)
    person = make_person(world.xizi, id_number=valid_id_number(), phone="13812345678")
    for path in (
        reverse("admin:orgs_person_changelist"),
        reverse("admin:orgs_person_change", args=[person.pk]),
    ):
        page = client.get(path).content.decode()
        assert person.id_number_masked in page
        assert valid_id_number() not in page and "13812345678" not in page
        assert person.id_number_enc not in page
    change = client.get(reverse("admin:orgs_person_change", args=[person.pk]))
    assert "id_number_enc" not in change.context["adminform"].form.fields
    assert "id_number_masked" not in change.context["adminform"].form.fields


def test_organisation_admin_add_goes_through_the_service(world, monkeypatch):
    client = opened_admin_client(world, monkeypatch)
    response = client.post(
        reverse("admin:orgs_organisation_add"),
        {
            "name": "城关小学",
            "short_name": "",
            "kind": "school",
            "stage": "primary",
            "region": world.ningcheng.pk,
            "address": "",
            "note": "",
            "names-TOTAL_FORMS": "1",
            "names-INITIAL_FORMS": "0",
            "names-MIN_NUM_FORMS": "0",
            "names-MAX_NUM_FORMS": "1000",
            "names-0-name": "城关镇小学",
            "names-0-valid_until": "",
            "names-0-note": "",
        },
    )
    assert response.status_code == 302, response.context and response.context.get("errors")
    org = Organisation.objects.get(name="城关小学")
    assert AuditEntry.objects.filter(action="create", object_id=str(org.pk)).exists()
    assert list(Organisation.objects.search("城关镇")) == [org]


def test_organisation_admin_search_accepts_pinyin(world, monkeypatch):
    client = opened_admin_client(world, monkeypatch)
    response = client.get(reverse("admin:orgs_organisation_changelist"), {"q": "xizi"})
    assert "宁城县汐子中学" in response.content.decode()
