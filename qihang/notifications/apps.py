from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "qihang.notifications"
    label = "notifications"
