from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "qihang.employers"
    verbose_name = "单位"
