from django.urls import path

from qihang.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.book, name="book"),
    path("mine/", views.mine, name="mine"),
    path("slots/<int:slot_id>/book/", views.slot_book, name="slot_book"),
    path("slots/<int:slot_id>/withdraw/", views.slot_withdraw, name="slot_withdraw"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/publish/", views.publish, name="publish"),
    path("overview/", views.overview, name="overview"),
    path("advisers/", views.adviser_save, name="adviser_save"),
    path("policy/", views.policy, name="policy"),
    path("<int:appointment_id>/", views.detail, name="detail"),
    path("<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("<int:appointment_id>/action/", views.action, name="action"),
    path("<int:appointment_id>/note/", views.note, name="note"),
]
