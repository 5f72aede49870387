from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "qihang.documents"
    verbose_name = "签发文件与档案"
