from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "qihang.appointments"
    verbose_name = "咨询预约"
