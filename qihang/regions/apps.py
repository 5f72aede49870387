from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "qihang.regions"
    label = "regions"
