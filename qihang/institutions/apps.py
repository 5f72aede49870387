from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "qihang.institutions"
    label = "institutions"
