from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("suggest/", views.suggest, name="suggest"),
    path("<int:pk>/", views.detail, name="detail"),
]
