from django.test import Client
from django.urls import reverse

from bangfu.audit.models import AuditEntry

from ..models import Organisation
from .factories import make_person, valid_id_number


def superuser_client(world):
    from conftest import make_user

    user = make_user("root", "admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_person_admin_shows_only_masked_numbers(world):
    client = superuser_client(world)
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


def test_organisation_admin_add_goes_through_the_service(world):
    client = superuser_client(world)
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


def test_organisation_admin_search_accepts_pinyin(world):
    client = superuser_client(world)
    response = client.get(reverse("admin:orgs_organisation_changelist"), {"q": "xizi"})
    assert "宁城县汐子中学" in response.content.decode()
