"""The employer portal's applications, mounted at /employer/applications/ (qihang/urls.py)."""

from django.urls import path

from qihang.applications import views

app_name = "employer_applications"
urlpatterns = [
    path("", views.portal_list, name="list"),
    path("<int:application_id>/", views.portal_detail, name="detail"),
    path("<int:application_id>/action/", views.portal_action, name="action"),
]
