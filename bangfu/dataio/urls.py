from django.urls import path

from . import views

app_name = "dataio"
urlpatterns = [
    path("", views.index, name="index"),
    path("template/", views.template, name="template"),
    path("export/", views.export, name="export"),
    path("export/<str:token>/", views.export_job, name="export_job"),
    path("export/<str:token>/download/", views.export_download, name="export_download"),
    path("import/", views.upload, name="upload"),
    path("import/<int:pk>/", views.job_detail, name="job"),
    path("import/<int:pk>/preview/", views.preview, name="preview"),
    path("import/<int:pk>/commit/", views.commit, name="commit"),
    path("import/<int:pk>/undo/", views.undo, name="undo"),
]
