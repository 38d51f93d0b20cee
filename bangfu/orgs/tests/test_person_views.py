import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.audit.models import AuditEntry
from bangfu.core.forms import CONFLICT_MESSAGE

from ..models import Person
from .factories import bad_check_digit, make_person, person_post_data, valid_id_number

ID = valid_id_number()
PHONE = "13812345678"

# A teacher of 汐子中学 (the recipient school), by role.
DETAIL = {
    "anonymous": 302,
    "outsider": 404,
    "helper": 200,
    "recipient": 200,
    "coordinator": 200,
    "other_coordinator": 404,
    # The separation-of-duties roles see no business data.
    "auditor": 403,
    "sysadmin": 403,
    "secadmin": 403,
}
# 汐子中学 is in the coordinator's partner region, not its own: it may read, not change.
EDIT = {**DETAIL, "helper": 403, "coordinator": 403, "auditor": 403}
# Full numbers: the person's own school only (the separation-of-duties roles never).
REVEAL = EDIT


def url(name, *args):
    return reverse(f"orgs:{name}", args=args)


@pytest.fixture
def teacher(world):
    return make_person(
        world.xizi, "李老师", id_number=ID, phone=PHONE, subjects="数学", backbone_level="city"
    )


@pytest.mark.parametrize("role", DETAIL)
def test_person_detail_by_role(teacher, client_for, role):
    assert client_for(role).get(url("person_detail", teacher.pk)).status_code == DETAIL[role]


@pytest.mark.parametrize("role", EDIT)
def test_person_edit_page_by_role(teacher, client_for, role):
    assert client_for(role).get(url("person_edit", teacher.pk)).status_code == EDIT[role]


@pytest.mark.parametrize("role", REVEAL)
def test_reveal_allowed_only_to_own_school(teacher, client_for, role):
    response = client_for(role).post(url("person_reveal", teacher.pk))
    assert response.status_code == REVEAL[role]
    revealed = AuditEntry.objects.filter(action="reveal", object_id=str(teacher.pk))
    if REVEAL[role] == 200:
        assert ID in response.content.decode() and PHONE in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert revealed.count() == 1
    else:
        assert not revealed.exists()


def test_coordinator_of_the_schools_region_may_reveal(world, client_for):
    person = make_person(world.bj9, "王老师", id_number=ID)
    response = client_for("coordinator").post(url("person_reveal", person.pk))
    assert response.status_code == 200 and ID in response.content.decode()
    assert AuditEntry.objects.get(action="reveal").actor == world.coordinator


def test_reveal_is_post_only(teacher, client_for):
    assert client_for("recipient").get(url("person_reveal", teacher.pk)).status_code == 405


def test_full_numbers_never_appear_on_list_detail_or_form(teacher, client_for):
    client = client_for("recipient")
    for path in (
        url("person_list"),
        url("person_detail", teacher.pk),
        url("person_edit", teacher.pk),
        url("detail", teacher.organisation_id),
    ):
        response = client.get(path)
        page = response.content.decode()
        assert ID not in page and PHONE not in page, path
    detail = client.get(url("person_detail", teacher.pk))
    assert teacher.id_number_masked in detail.content.decode()
    assert "138****5678" in detail.content.decode()
    assert "no-store" in detail["Cache-Control"]


def test_raw_database_value_is_not_the_plaintext(teacher):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number_enc, id_number_masked, phone_enc FROM orgs_person WHERE id = %s",
            [teacher.pk],
        )
        row = cursor.fetchone()
    assert all(ID not in value and PHONE not in value for value in row)
    assert row[0].startswith("v1:")


def test_bad_check_digit_is_shown_and_nothing_saved(world, client_for):
    response = client_for("recipient").post(
        url("person_create"),
        person_post_data(name="赵老师", organisation=world.xizi.pk, id_number=bad_check_digit(ID)),
    )
    assert response.status_code == 200
    assert "身份证号码校验位不正确" in response.context["form"].errors["id_number"][0]
    assert bad_check_digit(ID) not in response.content.decode()
    assert not Person.objects.exists()
    assert not AuditEntry.objects.filter(model="orgs.Person").exists()


def test_invalid_phone_is_shown_beside_the_field(world, client_for):
    response = client_for("recipient").post(
        url("person_create"),
        person_post_data(name="赵老师", organisation=world.xizi.pk, phone="12345"),
    )
    assert "请输入有效的手机号码" in response.context["form"].errors["phone"][0]
    assert not Person.objects.exists()


def test_school_staff_adds_person_to_own_school(world, client_for):
    response = client_for("recipient").post(
        url("person_create"),
        person_post_data(name="赵老师", organisation=world.xizi.pk, id_number=ID, phone=PHONE),
    )
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("person_detail", person.pk)
    assert person.organisation == world.xizi and person.id_number() == ID
    assert AuditEntry.objects.filter(action="create", object_id=str(person.pk)).exists()


def test_school_staff_cannot_add_person_to_partner_school(world, client_for):
    client = client_for("recipient")
    form = client.get(url("person_create")).context["form"]
    assert list(form.fields["organisation"].queryset) == [world.xizi]
    response = client.post(
        url("person_create"), person_post_data(name="赵老师", organisation=world.bj9.pk)
    )
    assert "organisation" in response.context["form"].errors
    assert not Person.objects.exists()


@pytest.mark.parametrize("role,status", [("anonymous", 302), ("auditor", 403), ("helper", 200)])
def test_person_create_page_by_role(client_for, role, status):
    assert client_for(role).get(url("person_create")).status_code == status


def test_empty_number_fields_keep_stored_values_and_new_ones_replace(teacher, client_for):
    client = client_for("recipient")
    page = client.get(url("person_edit", teacher.pk)).content.decode()
    assert ID not in page and teacher.id_number_masked in page
    response = client.post(
        url("person_edit", teacher.pk), person_post_data(teacher, position="班主任")
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.position == "班主任"
    assert teacher.id_number() == ID and teacher.phone() == PHONE
    client.post(url("person_edit", teacher.pk), person_post_data(teacher, phone="13900001111"))
    teacher.refresh_from_db()
    assert teacher.phone() == "13900001111" and teacher.id_number() == ID
    assert (
        AuditEntry.objects.filter(
            action="update", model="orgs.Person", object_id=str(teacher.pk)
        ).count()
        == 2
    )


def test_clear_checkbox_removes_stored_number(teacher, client_for):
    client_for("recipient").post(
        url("person_edit", teacher.pk), person_post_data(teacher, clear_phone="on")
    )
    teacher.refresh_from_db()
    assert teacher.phone() == "" and teacher.phone_masked == ""
    assert teacher.id_number() == ID


def test_second_person_save_from_same_version_is_refused(teacher, client_for):
    # Two sessions of the school's staff (only they may change this teacher).
    first, second = client_for("recipient"), client_for("recipient")
    assert (
        first.post(
            url("person_edit", teacher.pk), person_post_data(teacher, position="甲")
        ).status_code
        == 302
    )
    response = second.post(url("person_edit", teacher.pk), person_post_data(teacher, position="乙"))
    assert str(CONFLICT_MESSAGE) in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.position == "甲" and teacher.version == 2


@pytest.mark.parametrize("query", ["李老師", "lilaoshi", "lls"])
def test_person_search_ignores_script_and_accepts_pinyin(teacher, world, client_for, query):
    make_person(world.xizi, "王老师")
    # Searches are POSTed (names never travel in a URL) and shown from the session.
    response = client_for("recipient").post(url("person_list"), {"q": query}, follow=True)
    names = [p.name for p in response.context["page_obj"]]
    assert names == ["李老师"]


def test_person_list_filters(teacher, world, client_for):
    make_person(world.xizi, "王老师", kind="cadre", subjects="语文")
    make_person(world.bj9, "陈老师", subjects="数学", backbone_level="district")
    client = client_for("coordinator")

    def names(**params):
        return sorted(p.name for p in client.get(url("person_list"), params).context["page_obj"])

    assert names(organisation=world.xizi.pk) == ["李老师", "王老师"]
    assert names(organisation="汐子") == ["李老师", "王老师"]
    assert names(kind="cadre") == ["王老师"]
    assert names(backbone="city") == ["李老师"]
    assert names(backbone="any") == ["李老师", "陈老师"]
    assert names(backbone="none") == ["王老师"]
    assert names(subject="数学") == ["李老师", "陈老师"]


def test_person_list_hides_people_out_of_scope(world, client_for):
    make_person(world.daidai, "大歹老师")
    make_person(world.xizi, "李老师")
    names = [p.name for p in client_for("helper").get(url("person_list")).context["page_obj"]]
    assert names == ["李老师"]


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_person_list_query_count_does_not_grow_with_rows(world, client_for):
    client = client_for("coordinator")
    orgs = [world.bj9, world.xizi, world.wyxx]
    for i in range(3):
        make_person(orgs[i % 3], f"老师{i}", phone=PHONE)
    few = _queries(client, url("person_list"))
    for i in range(3, 30):
        make_person(orgs[i % 3], f"老师{i}", phone=PHONE)
    assert _queries(client, url("person_list")) == few
