"""Small factories for plan and project tests (and the access matrix)."""

import datetime as dt

from bangfu.plans.models import Plan, PlanTask, Project, ProjectTarget


def make_plan(world, pairing=None, academic_year=2019, term=1, tasks=1, **extra):
    plan = Plan.objects.create(
        pairing=pairing or world.p_bj9_xizi,
        academic_year=academic_year,
        term=term,
        title=extra.pop("title", "2019–2020学年第一学期帮扶计划"),
        goals="提升初中数学教学质量",
        **extra,
    )
    for i in range(1, tasks + 1):
        PlanTask.objects.create(
            plan=plan, order=i, title=f"送教下乡 {i}", target_value=4, target_unit="次"
        )
    return plan


def make_project(world, name="石景山区教师培训项目", region=None, year=2019, **extra):
    project = Project.objects.create(
        name=name,
        owner=extra.pop("owner", None) or world.sjs_bureau,
        recipient_region=region or world.ningcheng,
        region_pairing=extra.pop("region_pairing", world.rp_sjs_nc),
        year=year,
        start_date=dt.date(year, 1, 1),
        end_date=dt.date(year, 12, 31),
        **extra,
    )
    ProjectTarget.objects.create(
        project=project, description="培训当地教师", target_value=350, unit="人次"
    )
    return project
