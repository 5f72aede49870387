from django.urls import path

from qihang.applications import views

app_name = "applications"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("apply/<int:posting_id>/", views.apply, name="apply"),
    path("<int:application_id>/", views.detail, name="detail"),
    path("<int:application_id>/action/", views.graduate_action, name="action"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:application_id>/", views.staff_detail, name="staff_detail"),
    path("employers/", views.employer_responses, name="employers"),
    path("policy/", views.policy, name="policy"),
]
