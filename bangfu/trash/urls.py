from django.urls import path

from . import views

app_name = "trash"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>/<int:pk>/delete/", views.delete, name="delete"),
    path("<slug:kind>/<int:pk>/restore/", views.restore, name="restore"),
]
