from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "qihang.agreements"
    verbose_name = "三方协议"
