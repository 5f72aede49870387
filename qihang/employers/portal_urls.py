"""The employer portal, /employer/… (the jobs app adds its pages under /employer/jobs/)."""

from django.urls import path

from qihang.employers import portal

app_name = "employer_portal"
urlpatterns = [
    path("", portal.home, name="home"),
    path("register/", portal.register, name="register"),
    path("waiting/", portal.waiting, name="waiting"),
    path("profile/", portal.profile, name="profile"),
    path("licence/", portal.licence, name="licence"),
    path("apply/", portal.apply, name="apply"),
    path("members/", portal.members, name="members"),
    path("members/invite/", portal.member_invite, name="member_invite"),
    path("members/change/", portal.member_change, name="member_change"),
    path("tokens/", portal.api_tokens, name="api_tokens"),
    path("tokens/revoke/", portal.api_token_revoke, name="api_token_revoke"),
]
