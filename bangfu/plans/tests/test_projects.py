from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.audit.models import AuditEntry
from bangfu.core.forms import CONFLICT_MESSAGE
from bangfu.plans.models import Project, ProjectTarget

from .factories import make_project


def project_data(world, targets, **extra):
    data = {
        "name": "宁城县骨干教师培训",
        "level": "district",
        "recipient_region": world.ningcheng.code,
        "region_pairing": world.rp_sjs_nc.pk,
        "year": 2019,
        "start_date": "2019-01-01",
        "end_date": "2019-12-31",
        "status": "planned",
        "description": "",
        "targets-TOTAL_FORMS": len(targets),
        "targets-INITIAL_FORMS": sum(1 for t in targets if t.get("id")),
        "targets-MIN_NUM_FORMS": 0,
        "targets-MAX_NUM_FORMS": 50,
        **extra,
    }
    for i, target in enumerate(targets):
        for key, value in target.items():
            data[f"targets-{i}-{key}"] = value
    return data


TARGET = {"description": "培训当地教师", "is_minimum": 1, "target_value": 350, "unit": "人次"}


def test_coordinator_creates_project_owned_by_own_bureau(client_for, world):
    client = client_for("coordinator")
    form = client.get(reverse("plans:project_create")).context["form"]
    assert form["owner"].value() == world.sjs_bureau.pk
    data = project_data(world, [TARGET], owner=world.sjs_bureau.pk)
    response = client.post(reverse("plans:project_create"), data)
    project = Project.objects.get()
    assert response["Location"] == reverse("plans:project_detail", args=[project.pk])
    assert project.owner == world.sjs_bureau and project.recipient_region == world.ningcheng
    assert project.created_by == world.coordinator
    target = project.targets.get()
    assert (target.target_value, target.unit, target.is_minimum) == (350, "人次", True)
    entry = AuditEntry.objects.get(model="plans.Project")
    assert entry.action == "create" and entry.actor == world.coordinator
    entry = AuditEntry.objects.get(model="plans.ProjectTarget", object_id=str(target.pk))
    assert entry.action == "create" and entry.changes["target_value"] == [None, 350]


def test_zero_target_is_refused(client_for, world):
    data = project_data(world, [{**TARGET, "target_value": 0}], owner=world.sjs_bureau.pk)
    response = client_for("coordinator").post(reverse("plans:project_create"), data)
    assert response.status_code == 200
    errors = response.context["targets"].forms[0].errors
    assert "目标数量必须大于0" in str(errors["target_value"])
    assert Project.objects.count() == 0 and ProjectTarget.objects.count() == 0


def test_target_without_unit_is_refused(client_for, world):
    data = project_data(world, [{**TARGET, "unit": ""}], owner=world.sjs_bureau.pk)
    response = client_for("coordinator").post(reverse("plans:project_create"), data)
    assert response.status_code == 200
    assert "请选择单位" in str(response.context["targets"].forms[0].errors["unit"])
    assert Project.objects.count() == 0


def test_another_regions_bureau_is_not_a_choice_of_owner(client_for, world):
    data = project_data(world, [TARGET], owner=world.sjs_bureau.pk, region_pairing="")
    response = client_for("other_coordinator").post(reverse("plans:project_create"), data)
    assert response.status_code == 200
    assert "选择一个有效的选项" in str(response.context["form"].errors["owner"])
    assert Project.objects.count() == 0


def test_school_staff_cannot_create_projects(client_for, world):
    assert client_for("helper").get(reverse("plans:project_create")).status_code == 403


def test_edit_replaces_targets_and_stale_form_is_refused(client_for, world):
    project = make_project(world)
    target = project.targets.get()
    client = client_for("coordinator")
    url = reverse("plans:project_edit", args=[project.pk])
    rows = [
        {**TARGET, "id": target.pk, "target_value": 450},
        {"description": "送教下乡", "is_minimum": 1, "target_value": 20, "unit": "次"},
    ]
    data = project_data(world, rows, owner=world.sjs_bureau.pk, version=1)
    assert client.post(url, data).status_code == 302
    assert sorted(project.targets.values_list("target_value", flat=True)) == [20, 450]
    response = client.post(url, {**data, "name": "过时的修改"})
    assert response.status_code == 200
    assert str(CONFLICT_MESSAGE) in str(response.context["form"].non_field_errors())
    project.refresh_from_db()
    assert project.name != "过时的修改" and project.targets.count() == 2


def test_list_counts_projects_per_recipient_region(client_for, world):
    for i in range(7):
        make_project(world, name=f"宁城项目{i}")
    for i in range(3):
        make_project(world, name=f"从江项目{i}", region=world.congjiang, region_pairing=None)
    make_project(world, name="往年项目", year=2018)
    response = client_for("coordinator").get(reverse("plans:project_list"), {"year": 2019})
    counts = {row["name"]: row["count"] for row in response.context["counts"]}
    assert counts == {"宁城": 7, "从江": 3}
    assert "宁城 7" in response.content.decode()


def test_list_filters_by_recipient_region(client_for, world):
    make_project(world, name="宁城项目")
    make_project(world, name="从江项目", region=world.congjiang, region_pairing=None)
    response = client_for("coordinator").get(reverse("plans:project_list"), {"region": "从江县"})
    assert [p.name for p in response.context["page_obj"]] == ["从江项目"]


def test_project_list_query_count_does_not_grow_with_rows(client_for, world):
    client = client_for("coordinator")

    def count(n):
        ProjectTarget.objects.all().delete()
        Project.objects.all().delete()
        for i in range(n):
            make_project(world, name=f"项目{i}")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("plans:project_list")).status_code == 200
        return len(ctx.captured_queries)

    assert count(3) == count(30)
