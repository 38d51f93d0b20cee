from django.urls import path

from . import views

app_name = "pairings"
urlpatterns = [
    path("", views.pairing_list, name="list"),
    path("<int:pk>/", views.pairing_detail, name="detail"),
    path("regions/", views.region_pairing_list, name="region_list"),
]
