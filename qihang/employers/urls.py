from django.urls import path

from qihang.employers import views

app_name = "employers"
urlpatterns = [
    path("", views.employer_list, name="list"),
    path("<int:employer_id>/", views.employer_detail, name="detail"),
    path("<int:employer_id>/licence/", views.licence_download, name="licence"),
    path("<int:employer_id>/decide/", views.employer_decide, name="decide"),
    path("<int:employer_id>/credit/", views.employer_credit, name="credit"),
    path("<int:employer_id>/share/", views.employer_share, name="share"),
    path("<int:employer_id>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path(
        "<int:employer_id>/interactions/new/", views.interaction_create, name="interaction_create"
    ),
    path("interactions/<int:interaction_id>/", views.interaction_edit, name="interaction_edit"),
    path(
        "interactions/<int:interaction_id>/delete/",
        views.interaction_delete,
        name="interaction_delete",
    ),
    path("alumni/", views.alumni_list, name="alumni"),
    path("alumni/new/", views.alumnus_create, name="alumnus_create"),
    path("alumni/<int:alumnus_id>/", views.alumnus_edit, name="alumnus_edit"),
    path("channels/", views.channel_report, name="channels"),
]
