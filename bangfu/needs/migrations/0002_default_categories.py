from django.db import migrations

# The categories the seed reports name; admins may add more.
DEFAULTS = [
    "学校管理/园所管理",
    "学科教学",
    "教师培训",
    "家长指导",
    "艺术活动",
    "游戏活动(三大游戏)",
    "校园文化建设",
    "幼儿行为分析",
    "德育",
    "课程建设",
    "信息化与智慧教育",
    "学生交流",
    "其他",
]


def add(apps, schema_editor):
    NeedCategory = apps.get_model("needs", "NeedCategory")
    for order, name in enumerate(DEFAULTS, start=1):
        NeedCategory.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


def remove(apps, schema_editor):
    apps.get_model("needs", "NeedCategory").objects.filter(name__in=DEFAULTS, needs=None).delete()


class Migration(migrations.Migration):
    dependencies = [("needs", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
