from django.urls import path

from qihang.verification import views

app_name = "verification"
urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("draw/", views.round_draw, name="draw"),
    path("<int:round_id>/", views.round_detail, name="round"),
    path("samples/<int:sample_id>/call/", views.sample_call, name="call"),
    path("report/<int:cohort_year>/", views.report, name="report"),
    path("report/<int:cohort_year>/xlsx/", views.report_xlsx, name="report_xlsx"),
    path("report/<int:cohort_year>/pdf/", views.report_pdf, name="report_pdf"),
    path("anomalies/", views.anomaly_list, name="anomalies"),
    path("anomalies/decide/", views.flag_decide, name="flag_decide"),
    path("enrolment/<int:cohort_year>/", views.enrolment_upload, name="enrolment"),
]
