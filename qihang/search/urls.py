from django.urls import path

from qihang.search import views

app_name = "search"

urlpatterns = [
    path("search/jobs/", views.job_search, name="jobs"),
    path("search/jobs/<int:posting_id>/push/", views.job_push, name="push"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("recommendations/preferences/", views.preferences, name="preferences"),
]
