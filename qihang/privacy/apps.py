from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "qihang.privacy"
    label = "privacy"
