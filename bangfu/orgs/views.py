from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def organisation_list(request):
    return HttpResponse("todo")


@login_required
def person_list(request):
    return HttpResponse("todo")
