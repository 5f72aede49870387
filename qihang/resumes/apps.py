from django.apps import AppConfig


class ResumesConfig(AppConfig):
    name = "qihang.resumes"
    verbose_name = "简历与作品集"
