from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "qihang.search"
    verbose_name = "搜索与推荐"
