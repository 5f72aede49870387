from django.apps import AppConfig


class DestinationsConfig(AppConfig):
    name = "qihang.destinations"
    label = "destinations"
