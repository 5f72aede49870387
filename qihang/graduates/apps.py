from django.apps import AppConfig


class GraduatesConfig(AppConfig):
    name = "qihang.graduates"
    label = "graduates"
