from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("", views.support_list, name="list"),
    path("new/", views.support_create, name="create"),
    path("<int:pk>/", views.support_detail, name="detail"),
    path("<int:pk>/edit/", views.support_edit, name="edit"),
    path("<int:pk>/items/", views.item_add, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
]
