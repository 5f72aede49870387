from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "qihang.demo"
    label = "demo"
