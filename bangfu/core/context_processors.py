from django.conf import settings


def bangfu(request):
    return {"DEMO_MODE": settings.DEMO_MODE}
