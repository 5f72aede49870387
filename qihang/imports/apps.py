from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "qihang.imports"
    label = "imports"
