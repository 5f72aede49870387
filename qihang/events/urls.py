from django.urls import path

from qihang.events import views

app_name = "events"
urlpatterns = [
    # The career centre (and staff who read or check in).
    path("", views.event_list, name="list"),
    path("requests/", views.event_requests, name="requests"),
    path("new/", views.event_create, name="create"),
    path("funnel/", views.funnel, name="funnel"),
    path("rooms/", views.room_list, name="rooms"),
    path("rooms/<int:room_id>/", views.room_edit, name="room_edit"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("<int:event_id>/action/", views.event_action, name="action"),
    path("<int:event_id>/edit/", views.event_edit, name="edit"),
    path("<int:event_id>/registrations/", views.registrations, name="registrations"),
    path(
        "<int:event_id>/registrations.xlsx",
        views.registrations_export,
        name="registrations_export",
    ),
    path(
        "<int:event_id>/registrations/<int:registration_id>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path("<int:event_id>/share/", views.event_share, name="share"),
    path("<int:event_id>/booths/", views.booth_add, name="booth_add"),
    path("<int:event_id>/attendance/", views.attendance, name="attendance"),
    # Graduates.
    path("mine/", views.upcoming, name="upcoming"),
    path("mine/<int:event_id>/register/", views.register, name="register"),
    path("mine/tickets/", views.tickets, name="tickets"),
    path("mine/tickets/<int:registration_id>/", views.ticket, name="ticket"),
    path("mine/tickets/<int:registration_id>/cancel/", views.ticket_cancel, name="ticket_cancel"),
    # Employers (their portal).
    path("employer/", views.portal_list, name="portal_list"),
    path("employer/new/", views.portal_request, name="portal_request"),
    path("employer/<int:event_id>/", views.portal_detail, name="portal_detail"),
    path("employer/<int:event_id>/cancel/", views.portal_cancel, name="portal_cancel"),
]
