from django.urls import path

from qihang.privacy import views

app_name = "privacy"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("mine/consent/grant/", views.consent_grant, name="consent_grant"),
    path("mine/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("mine/download/", views.download, name="download"),
]
