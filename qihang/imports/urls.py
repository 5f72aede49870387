from django.urls import path

from qihang.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.job_new, name="new"),
    path("template/", views.template_download, name="template"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/progress/", views.job_progress, name="progress"),
    path("<int:job_id>/annotated/", views.job_annotated, name="annotated"),
    path("export/", views.export_page, name="exports"),
    path("export/roster/", views.export_roster, name="export_roster"),
    path("export/destinations/", views.export_destinations, name="export_destinations"),
]
