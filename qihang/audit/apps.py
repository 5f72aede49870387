from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "qihang.audit"
    label = "audit"
