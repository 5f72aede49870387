"""The job search index, graduates' job preferences and mentors' pushes.

JobSearchDocument keeps each job's text as jieba tokens (qihang.search.tokens); the database's
own full-text index is built over them: on PostgreSQL a `tsvector` column with a GIN index
('simple' configuration: the tokens are already words), on SQLite an FTS5 table kept in step by
triggers (migration 0001). Job services call `services.jobs_index` after every write.
"""

import dataclasses

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.graduates.models import Graduate
from qihang.institutions.models import TenantModel
from qihang.institutions.scoping import Scope
from qihang.jobs.models import Job, JobKind

# The job's columns that searches filter and order on, copied onto its index row so that a
# search (scope, filters, match, rank, order, count) runs on the index table alone and reads
# jobs only for the page it shows. `jobs_index` copies them after every write of a job.
MIRRORED_FIELDS = (
    "institution",
    "employer",
    "status",
    "kind",
    "degree_levels",
    "division",
    "salary_min",
    "salary_max",
    "deadline",
    "published_at",
    "created_at",
)


class JobSearchDocument(models.Model):
    """One job's tokens, and copies of the columns searches filter on (MIRRORED_FIELDS). The
    primary key is the job's, so the index joins without a lookup, and a share of the job
    (institutions.Share of kind jobs.job) is a share of its index row."""

    job = models.OneToOneField(
        Job, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.CASCADE, related_name="+"
    )
    employer = models.ForeignKey(
        "employers.Employer", null=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=12, default="", blank=True)
    kind = models.CharField(max_length=12, default="", blank=True)
    degree_levels = models.JSONField(default=list, blank=True)
    division = models.CharField(max_length=6, blank=True, default="")
    salary_min = models.PositiveIntegerField(null=True, blank=True)
    salary_max = models.PositiveIntegerField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True)
    # Title words weigh most in relevance; the rest (employer, majors, specialties, place,
    # description) follow.
    title_tokens = models.TextField(default="", blank=True)
    body_tokens = models.TextField(default="", blank=True)
    # PostgreSQL only: setweight(title, 'A') || setweight(body, 'C'), set by a trigger.
    # (On SQLite the column stays empty; the FTS5 table search_job_fts indexes the tokens.)
    vector = SearchVectorField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)

    # Exactly the job's rules: whoever may see the job may see its index row, and no one else.
    scope = dataclasses.replace(Job.scope, shared_as="jobs.job")

    class Meta:
        verbose_name = _("岗位索引")
        verbose_name_plural = _("岗位索引")
        indexes = [
            # Searches without words (newest first) and recommendations' newest open jobs.
            models.Index(
                fields=["institution", "status", "-published_at"], name="search_doc_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"index of job {self.job_id}"


class JobPreference(TenantModel):
    """What a graduate wishes for, which recommendations read. (Whether employers may find the
    graduate is the graduate's consent, not kept here.)"""

    graduate = models.OneToOneField(
        Graduate, on_delete=models.CASCADE, related_name="job_preference"
    )
    # GB/T 2260 codes (a province 310000, a city 320500 or a district) and strategic-region codes.
    divisions = models.JSONField(_("期望地点"), default=list, blank=True)
    regions = models.JSONField(_("期望区域"), default=list, blank=True)
    kinds = models.JSONField(_("岗位类型"), default=list, blank=True)
    salary_min = models.PositiveIntegerField(_("期望月薪（元）"), null=True, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        verbose_name = _("求职意向")
        verbose_name_plural = _("求职意向")

    def __str__(self) -> str:
        return f"{self.graduate} · {self.keywords}"

    def kind_labels(self) -> list[str]:
        return [str(JobKind(k).label) for k in self.kinds if k in JobKind.values]


class JobPush(TenantModel):
    """A mentor or department officer recommends a job to one graduate they look after."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="pushes")
    graduate = models.ForeignKey(Graduate, on_delete=models.CASCADE, related_name="job_pushes")
    pushed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("推荐理由"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("推荐时间"), auto_now_add=True)

    scope = Scope(
        department="graduate__department", mentor="graduate__mentor", own="graduate__user"
    )

    class Meta:
        verbose_name = _("导师推荐")
        verbose_name_plural = _("导师推荐")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "graduate"], name="job_push_once_per_graduate")
        ]

    def __str__(self) -> str:
        return f"{self.job} → {self.graduate}"
