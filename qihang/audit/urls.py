from django.urls import path

from qihang.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.events, name="events"),
    path("sensitive/", views.sensitive_reads, name="sensitive_reads"),
]
