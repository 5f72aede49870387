from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "qihang.verification"
    verbose_name = "就业核查"
