from django.urls import path

from qihang.graduates import views

app_name = "graduates"
urlpatterns = [
    path("", views.graduate_list, name="list"),
    path("<int:graduate_id>/", views.graduate_detail, name="detail"),
    path("<int:graduate_id>/reveal/", views.graduate_reveal, name="reveal"),
    path("<int:graduate_id>/invite/", views.invite, name="invite"),
    path("<int:graduate_id>/status/", views.roster_status, name="roster_status"),
    path("<int:graduate_id>/key-groups/", views.key_group_new, name="key_group_new"),
    path(
        "<int:graduate_id>/key-groups/<int:key_group_id>/",
        views.key_group_decision,
        name="key_group_decision",
    ),
    path("mentor/", views.mentor_assign, name="mentor_assign"),
    path("invite/", views.invite_cohort, name="invite_cohort"),
    path("export/", views.graduate_export, name="export"),
    path("export/unmasked/", views.graduate_export_unmasked, name="export_unmasked"),
]
