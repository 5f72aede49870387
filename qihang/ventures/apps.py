from django.apps import AppConfig


class VenturesConfig(AppConfig):
    name = "qihang.ventures"
    verbose_name = "创新创业"
