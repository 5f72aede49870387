from django.urls import path

from qihang.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:agreement_id>/", views.detail, name="detail"),
    path("<int:agreement_id>/action/", views.action, name="action"),
    path("<int:agreement_id>/pdf/", views.pdf, name="pdf"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:agreement_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:agreement_id>/action/", views.staff_action, name="staff_action"),
    path("staff/<int:agreement_id>/pdf/", views.staff_pdf, name="staff_pdf"),
    path("staff/cancellations/", views.cancellations, name="cancellations"),
    path("staff/settings/", views.policy, name="policy"),
]
