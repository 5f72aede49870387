from django.urls import path

from qihang.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/enrol/", views.mfa_enrol, name="mfa_enrol"),
    path("mfa/rebind/", views.mfa_rebind, name="mfa_rebind"),
    path(
        "invitation/<uidb64>/<token>/",
        views.invitation_accept,
        name="invitation_accept",
    ),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("", views.account, name="account"),
    path("password/", views.password_change, name="password_change"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:membership_id>/", views.staff_edit, name="staff_edit"),
    path(
        "staff/<int:membership_id>/deactivate/",
        views.staff_deactivate,
        name="staff_deactivate",
    ),
    path("staff/<int:membership_id>/invite/", views.staff_invite, name="staff_invite"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/respond/", views.invitation_respond, name="invitation_respond"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
