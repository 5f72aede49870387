from django.urls import path

from qihang.guidance import views

app_name = "guidance"
urlpatterns = [
    # Staff.
    path("", views.course_list, name="list"),
    path("new/", views.course_create, name="create"),
    path("<int:course_id>/", views.course_detail, name="detail"),
    path("<int:course_id>/edit/", views.course_edit, name="edit"),
    path("<int:course_id>/publish/", views.course_publish, name="publish"),
    path("<int:course_id>/share/", views.course_share, name="share"),
    path("<int:course_id>/lectures/", views.lecture_add, name="lecture_add"),
    path(
        "<int:course_id>/lectures/<int:lecture_id>/edit/", views.lecture_edit, name="lecture_edit"
    ),
    path("<int:course_id>/materials/", views.material_add, name="material_add"),
    path(
        "<int:course_id>/lectures/<int:lecture_id>/attendance/",
        views.attendance,
        name="attendance",
    ),
    path(
        "<int:course_id>/lectures/<int:lecture_id>/attendance/mark/",
        views.attendance_mark,
        name="attendance_mark",
    ),
    # Files, for staff and graduates alike (each view checks who may read the course).
    path("<int:course_id>/lectures/<int:lecture_id>/video/", views.lecture_video, name="video"),
    path(
        "<int:course_id>/materials/<int:material_id>/file/",
        views.material_file,
        name="material_file",
    ),
    # Graduates.
    path("mine/", views.catalogue, name="catalogue"),
    path("mine/<int:course_id>/", views.course_page, name="course"),
    path("mine/<int:course_id>/feedback/", views.feedback, name="feedback"),
    path("mine/lectures/<int:lecture_id>/attend/", views.attend, name="attend"),
]
