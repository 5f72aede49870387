from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "qihang.jobs"
    verbose_name = "岗位"
