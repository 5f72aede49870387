from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "qihang.web"
    label = "web"
