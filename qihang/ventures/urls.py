from django.urls import path

from qihang.ventures import views

app_name = "ventures"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("all/", views.staff_list, name="staff_list"),
    path("parks/", views.parks, name="parks"),
    path("parks/<int:park_id>/edit/", views.park_edit, name="park_edit"),
    path("<int:project_id>/", views.detail, name="detail"),
    path("<int:project_id>/edit/", views.edit, name="edit"),
]
