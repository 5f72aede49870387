from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "qihang.reporting"
    verbose_name = "上报教育主管部门"
