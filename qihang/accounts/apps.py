from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qihang.accounts"
    label = "accounts"
