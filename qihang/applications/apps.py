from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "qihang.applications"
    verbose_name = "求职申请"
