from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def pairing_list(request):
    return HttpResponse("todo")


@login_required
def pairing_detail(request, pk):
    return HttpResponse("todo")


@login_required
def region_pairing_list(request):
    return HttpResponse("todo")
