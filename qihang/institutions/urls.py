from django.urls import path

from qihang.institutions import views

app_name = "institutions"
urlpatterns = [
    path("switch/", views.switch, name="switch"),
    path("platform/", views.platform_list, name="platform_list"),
]
