"""The employer portal's agreements, mounted at /employer/agreements/ (qihang/urls.py)."""

from django.urls import path

from qihang.agreements import views

app_name = "employer_agreements"
urlpatterns = [
    path("", views.portal_list, name="list"),
    path("new/", views.portal_new, name="new"),
    path("<int:agreement_id>/", views.portal_detail, name="detail"),
    path("<int:agreement_id>/edit/", views.portal_edit, name="edit"),
    path("<int:agreement_id>/action/", views.portal_action, name="action"),
    path("<int:agreement_id>/pdf/", views.portal_pdf, name="pdf"),
]
