from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "qihang.assistance"
    label = "assistance"
