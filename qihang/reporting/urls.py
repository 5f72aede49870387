from django.urls import path

from qihang.reporting import views

app_name = "reporting"
urlpatterns = [
    # The career centre.
    path("", views.home, name="home"),
    path("export/", views.export, name="export"),
    path("export/unmasked/", views.export_unmasked, name="export_unmasked"),
    path("runs/new/", views.run_create, name="run_create"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("returned/import/", views.returned_import, name="returned_import"),
    path("check/open/", views.window_open, name="window_open"),
    path("check/close/", views.window_close, name="window_close"),
    # Department staff (and the centre).
    path("returned/", views.returned_list, name="returned"),
    path("corrections/", views.correction_queue, name="corrections"),
    path(
        "corrections/<int:correction_id>/confirm/",
        views.correction_confirm,
        name="correction_confirm",
    ),
    path(
        "corrections/<int:correction_id>/refuse/", views.correction_refuse, name="correction_refuse"
    ),
    # Graduates.
    path("mine/", views.my_check, name="my_check"),
    path("mine/confirm/", views.my_confirm, name="my_confirm"),
    path("mine/request/", views.my_request, name="my_request"),
]
