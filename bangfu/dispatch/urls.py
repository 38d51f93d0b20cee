from django.urls import path

from . import class_views, views, visit_views

app_name = "dispatch"
urlpatterns = [
    path("", views.dispatch_list, name="list"),
    path("new/", views.dispatch_create, name="create"),
    path("<int:pk>/", views.dispatch_detail, name="detail"),
    path("<int:pk>/edit/", views.dispatch_edit, name="edit"),
    path("<int:pk>/status/", views.dispatch_status, name="status"),
    path("<int:pk>/logs/new/", views.worklog_add, name="worklog_add"),
    path("<int:pk>/reports/new/", views.report_add, name="report_add"),
    path("<int:pk>/assess/", views.dispatch_assess, name="assess"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("rotation/", views.rotation, name="rotation"),
    path("visits/", visit_views.visit_list, name="visit_list"),
    path("visits/new/", visit_views.visit_create, name="visit_create"),
    path("visits/<int:pk>/", visit_views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/edit/", visit_views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/trainees/new/", visit_views.trainee_add, name="trainee_add"),
    path(
        "visits/<int:pk>/trainees/<int:trainee_pk>/edit/",
        visit_views.trainee_edit,
        name="trainee_edit",
    ),
    path(
        "visits/<int:pk>/trainees/<int:trainee_pk>/sessions/new/",
        visit_views.session_add,
        name="session_add",
    ),
    path("classes/", class_views.class_list, name="class_list"),
    path("classes/new/", class_views.class_create, name="class_create"),
    path("classes/<int:pk>/", class_views.class_detail, name="class_detail"),
    path("classes/<int:pk>/edit/", class_views.class_edit, name="class_edit"),
    path("classes/<int:pk>/enrol/", class_views.enrol, name="enrol"),
    path("classes/<int:pk>/graduate/", class_views.graduate, name="graduate"),
]
