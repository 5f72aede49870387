from django.urls import path

from qihang.resumes import views

app_name = "resumes"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("mine/profile/", views.profile, name="profile"),
    path("mine/consent/", views.consent, name="consent"),
    path("mine/pdf/", views.pdf_upload, name="pdf_upload"),
    path("mine/pdf/download/", views.own_pdf, name="own_pdf"),
    path("mine/print.pdf", views.own_print, name="own_print"),
    path("mine/media/", views.media_upload, name="media_upload"),
    path("mine/media/<int:media_id>/", views.own_media, name="own_media"),
    path("mine/reads/", views.reads, name="reads"),
    path("mine/<slug:section>/add/", views.row_add, name="row_add"),
    path("mine/<slug:section>/<int:row_id>/remove/", views.row_remove, name="row_remove"),
    path("graduates/", views.staff_list, name="staff_list"),
    path("graduates/<int:graduate_id>/", views.staff_detail, name="staff_detail"),
    path("graduates/<int:graduate_id>/pdf/", views.staff_pdf, name="staff_pdf"),
    path("graduates/<int:graduate_id>/print.pdf", views.staff_print, name="staff_print"),
    path(
        "graduates/<int:graduate_id>/media/<int:media_id>/", views.staff_media, name="staff_media"
    ),
    path("employer/", views.employer_list, name="employer_list"),
    path("employer/<int:graduate_id>/", views.employer_detail, name="employer_detail"),
    path("employer/<int:graduate_id>/pdf/", views.employer_pdf, name="employer_pdf"),
    path("employer/<int:graduate_id>/print.pdf", views.employer_print, name="employer_print"),
    path(
        "employer/<int:graduate_id>/media/<int:media_id>/",
        views.employer_media,
        name="employer_media",
    ),
]
