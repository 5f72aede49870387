from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "qihang.reports"
    label = "reports"
