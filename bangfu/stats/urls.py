from django.urls import path

from . import views
from .dashboard import dashboard_page

app_name = "stats"
urlpatterns = [
    path("", views.figures_page, name="figures"),
    path("rows/", views.rows_page, name="rows"),
    path("progress/", views.progress_page, name="progress"),
    path("bulletin/", views.bulletin_page, name="bulletin"),
    path("bulletin.docx", views.bulletin_docx, name="bulletin_docx"),
    path("bulletin.xlsx", views.bulletin_xlsx, name="bulletin_xlsx"),
    path("dashboard/", dashboard_page, name="dashboard"),
]
