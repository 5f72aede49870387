from django.urls import path

from qihang.wellbeing import views

app_name = "wellbeing"
urlpatterns = [
    path("", views.checkin, name="checkin"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:referral_id>/", views.referral, name="referral"),
    path("referrals/<int:referral_id>/act/", views.referral_action, name="referral_action"),
    path("referrals/<int:referral_id>/notes/", views.referral_note, name="referral_note"),
    path("settings/", views.policy, name="policy"),
    path("overview/", views.overview, name="overview"),
]
