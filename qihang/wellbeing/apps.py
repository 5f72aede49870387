from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "qihang.wellbeing"
    label = "wellbeing"
