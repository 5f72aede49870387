from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


def _employer_renamed(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """An employer's name is in its jobs' index text: a rename reindexes them (the employers
    app sits below search and does not call it)."""
    update_fields = kwargs.get("update_fields")
    if created or (update_fields is not None and "name" not in update_fields):
        return
    from qihang.jobs.models import Job
    from qihang.search.services import jobs_index

    jobs_index(Job.objects.filter(employer=instance).values_list("pk", flat=True))


class SearchConfig(AppConfig):
    name = "qihang.search"
    verbose_name = "搜索与推荐"

    def ready(self) -> None:
        post_save.connect(
            _employer_renamed, sender="employers.Employer", dispatch_uid="search_employer_renamed"
        )
