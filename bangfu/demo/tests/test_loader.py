import io

import pytest
from django.apps import apps
from django.core.management import call_command

from bangfu.accounts.models import User
from bangfu.demo.accounts import DEMO_ACCOUNTS_SPEC, DEMO_PASSWORD
from bangfu.demo.loader import load_demo
from bangfu.lib import idcard
from bangfu.needs.models import NeedCategory
from bangfu.orgs.models import Organisation, Person
from bangfu.pairings.models import Agreement, Pairing, PairingParty

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_demo")]


def row_counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label
        in {
            "accounts",
            "orgs",
            "pairings",
            "regions",
            "activities",
            "dispatch",
            "needs",
            "plans",
            "support",
            "resources",
        }
    }


def test_second_load_adds_and_changes_nothing():
    before = row_counts()
    orgs_before = list(Organisation.objects.values_list("id", "name", "updated_at", "search_text"))
    summary = load_demo(ensure_registry=False)
    assert summary.created == {}
    assert row_counts() == before
    assert list(Organisation.objects.values_list("id", "name", "updated_at", "search_text")) == (
        orgs_before
    )


def test_shijingshan_coordinator_sees_its_school_pairings_and_none_of_nanming():
    user = User.objects.get(username="sjs_coord")
    visible = Pairing.objects.visible_to(user)
    names = set(visible.values_list("name", flat=True))
    assert {
        "北京九中 ↔ 汐子中学",
        "北京九中 ↔ 宁城高级中学",
        "石景山外语实验小学 ↔ 苏木皋民族小学",
        "石景山外语实验小学 ↔ 头道营子实验小学",
        "首师大附属苹果园中学 ↔ 八里罕中学",
    } <= names
    nanming = PairingParty.objects.filter(organisation__region__name="南明区").values("pairing")
    assert not visible.filter(pk__in=nanming).exists()


def test_bj9_staff_sees_only_its_two_pairings():
    user = User.objects.get(username="bj9_staff")
    names = set(Pairing.objects.visible_to(user).values_list("name", flat=True))
    assert names == {"北京九中 ↔ 汐子中学", "北京九中 ↔ 宁城高级中学"}


def test_bj9_pairings_carry_the_agreed_principles():
    agreements = Agreement.objects.filter(pairing__parties__organisation__short_name="北京九中")
    assert agreements.count() == 2
    assert set(agreements.values_list("principles", flat=True)) == {
        "以强带弱、资源共享、紧密合作、均衡发展"
    }


@pytest.mark.parametrize("query", ["城关小学", "城关朝阳希望小学", "城關小學"])
def test_kangbao_school_found_by_old_and_new_name(query):
    found = Organisation.objects.search(query)
    assert list(found.values_list("name", flat=True)) == ["康保县城关朝阳希望小学"]


def test_huli_minning_sixteen_one_to_one_pairings_by_stage():
    pairings = Pairing.objects.filter(
        region_pairing__helper_region__name="湖里区",
        region_pairing__recipient_region__name="闽宁镇",
    )
    assert pairings.count() == 16
    assert set(pairings.values_list("mode", flat=True)) == {"one_to_one"}
    helpers = Organisation.objects.filter(
        pairing_parties__pairing__in=pairings, pairing_parties__side="helper"
    )
    stages = sorted(helpers.values_list("stage", flat=True))
    assert stages.count("junior") == 2
    assert stages.count("primary") == 9
    assert stages.count("kindergarten") == 5
    assert helpers.distinct().count() == 16
    online = Agreement.objects.filter(pairing__in=pairings, method="online")
    assert online.count() == 16
    pair = pairings.get(parties__organisation__name="火炬幼儿园")
    assert [o.name for o in pair.recipients()] == ["闽宁镇玉海幼儿园"]


def test_nanming_programme_has_45_helpers_and_58_recipients():
    programme = Pairing.objects.get(mode="programme")
    parties = programme.parties.all()
    assert parties.filter(side="helper").count() == 45
    assert parties.filter(side="recipient").count() == 58
    assert programme.children.count() == 5
    assert parties.filter(side="helper", organisation__is_generated=False).count() == 8
    assert parties.filter(side="recipient", organisation__is_generated=False).count() == 7


def test_daidai_has_group_and_entrusted_pairings():
    daidai = Organisation.objects.get(name="从江县大歹小学")
    modes = set(Pairing.objects.filter(parties__organisation=daidai).values_list("mode", flat=True))
    assert modes == {"programme", "group", "entrusted"}
    group = Pairing.objects.get(mode="group", parties__organisation=daidai)
    assert len(group.helpers()) >= 2


def test_generated_rows_are_marked_and_named_rows_are_not():
    generated = Organisation.objects.filter(is_generated=True)
    assert generated.exists()
    assert all(name.endswith("(示例)") for name in generated.values_list("name", flat=True))
    assert not Organisation.objects.filter(is_generated=False, name__endswith="(示例)").exists()
    assert Organisation.objects.get(name="北京市第九中学").is_generated is False
    people = Person.objects.filter(is_generated=True)
    assert people.exists()
    for person in people:
        assert idcard.validate_id_number(person.id_number())
        assert person.phone()


def test_real_people_have_no_personal_data():
    real = Person.objects.filter(is_generated=False)
    assert real.filter(name="林乐光", organisation__name="北京市第九中学").exists()
    assert set(real.values_list("id_number_enc", "phone_enc")) == {("", "")}


def test_every_demo_account_logs_in_with_the_demo_password(client):
    assert User.objects.count() == len(DEMO_ACCOUNTS_SPEC)
    for username, role, org_name, _region in DEMO_ACCOUNTS_SPEC:
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password(DEMO_PASSWORD)
        assert user.display_name
        assert (user.organisation.name if user.organisation else None) == org_name
    # Separation of duties: one account per administrator role, nobody a superuser,
    # only the system administrator in the Django admin.
    for role in ("sysadmin", "secadmin", "auditor"):
        assert User.objects.filter(role=role).count() == 1
    assert not User.objects.filter(is_superuser=True).exists()
    assert list(User.objects.filter(is_staff=True).values_list("role", flat=True)) == ["sysadmin"]


def test_reset_demo_reloads_and_keeps_regions_and_need_categories(settings):
    settings.DEMO_MODE = True
    Organisation.objects.filter(name="北京市第九中学").update(note="changed")
    before = row_counts()
    categories = list(NeedCategory.objects.values_list("id", "name", "sort_order"))
    out = io.StringIO()
    call_command("reset_demo", interactive=False, skip_regions=True, stdout=out)
    assert Organisation.objects.get(name="北京市第九中学").note == ""
    assert row_counts()["regions.Region"] == before["regions.Region"]
    assert User.objects.count() == len(DEMO_ACCOUNTS_SPEC)
    assert list(NeedCategory.objects.values_list("id", "name", "sort_order")) == categories
    assert "need categories" not in out.getvalue().split("Demo data:")[0]
    # The reload gives the same ledger again.
    assert row_counts() == before
