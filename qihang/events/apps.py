from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "qihang.events"
    label = "events"
