"""The employer portal's postings, mounted at /employer/jobs/ (qihang/urls.py)."""

from django.urls import path

from qihang.jobs import views

app_name = "employer_jobs"
urlpatterns = [
    path("", views.portal_list, name="list"),
    path("new/", views.portal_create, name="create"),
    path("<int:posting_id>/", views.portal_detail, name="detail"),
    path("<int:posting_id>/edit/", views.portal_edit, name="edit"),
    path("<int:posting_id>/action/", views.portal_action, name="action"),
]
