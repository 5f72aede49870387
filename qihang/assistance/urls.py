from django.urls import path

from qihang.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/panel/", views.coverage_panel, name="coverage_panel"),
    path("<int:graduate_id>/", views.detail, name="detail"),
    path("<int:graduate_id>/file/", views.file_edit, name="file"),
    path("<int:graduate_id>/steps/", views.step_new, name="step_new"),
    path("<int:graduate_id>/steps/<int:step_id>/done/", views.step_complete, name="step_done"),
    path("<int:graduate_id>/follow-ups/", views.follow_up_new, name="follow_up_new"),
    path("<int:graduate_id>/programmes/", views.programme_new, name="programme_new"),
    path("<int:graduate_id>/subsidies/", views.subsidy_new, name="subsidy_new"),
]
