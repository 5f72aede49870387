from django.urls import path

from qihang.destinations import views

app_name = "destinations"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/approve/", views.bulk_approve, name="bulk_approve"),
    path("record/", views.record_lookup, name="record_lookup"),
    path("record/<int:graduate_id>/", views.record, name="record"),
    path("<int:destination_id>/", views.detail, name="detail"),
    path("<int:destination_id>/row/", views.row, name="row"),
    path("<int:destination_id>/review/", views.review, name="review"),
    path("<int:destination_id>/approve/", views.approve, name="approve"),
    path("<int:destination_id>/return/", views.return_view, name="return"),
    path("<int:destination_id>/sign-off/", views.sign_off, name="sign_off"),
    path("<int:destination_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("policy/<int:cohort_year>/", views.policy, name="policy"),
    path("evidence-rules/", views.evidence_policy, name="evidence_policy"),
]
