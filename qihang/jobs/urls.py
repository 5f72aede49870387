from django.urls import path

from qihang.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.job_create, name="create"),
    path("review/", views.review_queue, name="review_queue"),
    path("browse/", views.browse, name="browse"),
    path("browse/<int:posting_id>/", views.browse_detail, name="browse_detail"),
    path("guards/", views.guard_list, name="guard_list"),
    path("guards/new/", views.guard_create, name="guard_create"),
    path("guards/<int:rule_id>/", views.guard_edit, name="guard_edit"),
    path("<int:posting_id>/", views.job_detail, name="detail"),
    path("<int:posting_id>/edit/", views.job_edit, name="edit"),
    path("<int:posting_id>/action/", views.job_action, name="action"),
    path("<int:posting_id>/share/", views.job_share, name="share"),
    path("<int:posting_id>/unshare/", views.job_unshare, name="unshare"),
]
