from django.urls import path

from . import views

app_name = "extract"
urlpatterns = [
    path("", views.new, name="new"),
    path("<int:pk>/", views.review, name="review"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
