from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "qihang.guidance"
    verbose_name = "就业指导"
