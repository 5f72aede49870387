"""Résumés and arts portfolios of graduates.

One Resume per graduate holds the free text, the uploaded PDF and the consent to be found by
employers; its repeating sections (education, performances, teaching, awards, skills,
languages; repertoire, masterclasses, ensembles, recordings) are one small table each, listed
with their field lists once in qihang.resumes.sections. Every row is the graduate's
institution's and is read through scoping with the graduate's own row rules: department staff
see their departments' graduates, a mentor their mentees, the graduate themselves.

Staff and employer reads are logged as audit.SensitiveRead rows on the Resume (services.
resume_read_record), which the graduate sees as "谁看过我的简历".

Employers never reach these rows through scoping (`Scope.employer` is NONE): what an employer
may read is decided in one place, selectors.resume_visible_to_employer.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qihang.graduates.models import Graduate
from qihang.imports.storage import private_storage
from qihang.institutions.models import TenantModel
from qihang.institutions.scoping import Scope

# The graduate's row rules, reached from a row of a résumé.
RESUME_SCOPE = Scope(
    department="graduate__department", mentor="graduate__mentor", own="graduate__user"
)
ROW_SCOPE = Scope(
    department="resume__graduate__department",
    mentor="resume__graduate__mentor",
    own="resume__graduate__user",
)


def private_path(instance: models.Model, filename: str) -> str:
    return f"resumes/{instance.institution_id}/{filename}"


class Resume(TenantModel):
    graduate = models.OneToOneField(Graduate, on_delete=models.CASCADE, related_name="resume")
    headline = models.CharField(_("求职意向"), max_length=120, blank=True, default="")
    summary = models.TextField(_("个人简介"), max_length=2000, blank=True, default="")
    # The uploaded PDF résumé: checked by its bytes, sealed, private on disk, served only by
    # permission-checked views (like employers' licences).
    pdf_file = models.FileField(
        _("PDF简历"), upload_to=private_path, storage=private_storage, max_length=300, blank=True
    )
    pdf_name = models.CharField(_("文件名"), max_length=200, blank=True, default="")
    pdf_size = models.PositiveIntegerField(null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, default="")
    # Consent to be found by employers; its history is ConsentChange.
    discoverable = models.BooleanField(_("允许用人单位查看"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    scope = RESUME_SCOPE

    class Meta:
        verbose_name = _("简历")
        verbose_name_plural = _("简历")
        indexes = [models.Index(fields=["institution", "discoverable"], name="resume_discoverable")]

    def __str__(self) -> str:
        return str(self.graduate)


class ConsentChange(TenantModel):
    """One turn of the consent switch, never rewritten."""

    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="consent_changes")
    granted = models.BooleanField(_("允许查看"))
    # The version of privacy.ConsentText (purpose resume_sharing) the graduate was shown when
    # switching on the privacy page; empty when switched on the résumé page.
    text_version = models.PositiveSmallIntegerField(_("说明版本"), null=True, blank=True)
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = ROW_SCOPE

    class Meta:
        verbose_name = _("授权记录")
        verbose_name_plural = _("授权记录")
        ordering = ["-changed_at", "-pk"]


class ReadPart(models.TextChoices):
    """What a logged read showed (audit.SensitiveRead.field of a résumé read)."""

    RESUME = "resume", _("简历")
    PDF = "pdf", _("PDF简历")
    PRINTABLE = "printable", _("打印版简历")
    MEDIA = "media", _("作品录音录像")


# --- Repeating sections ---------------------------------------------------------------------------
class ResumeRow(TenantModel):
    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope = ROW_SCOPE

    class Meta:
        abstract = True
        ordering = ["pk"]


class Education(ResumeRow):
    school = models.CharField(_("学校"), max_length=100)
    degree = models.CharField(_("学历学位"), max_length=40, blank=True, default="")
    major = models.CharField(_("专业"), max_length=60, blank=True, default="")
    period = models.CharField(_("起止时间"), max_length=40, blank=True, default="")


class Performance(ResumeRow):
    title = models.CharField(_("演出名称"), max_length=120)
    role = models.CharField(_("担任"), max_length=60, blank=True, default="")
    venue = models.CharField(_("场地"), max_length=100, blank=True, default="")
    date = models.DateField(_("日期"), null=True, blank=True)


class Teaching(ResumeRow):
    organisation = models.CharField(_("单位"), max_length=100)
    subject = models.CharField(_("教授内容"), max_length=60)
    period = models.CharField(_("起止时间"), max_length=40, blank=True, default="")
    description = models.CharField(_("说明"), max_length=300, blank=True, default="")


class Award(ResumeRow):
    name = models.CharField(_("比赛或奖项"), max_length=120)
    prize = models.CharField(_("名次"), max_length=40, blank=True, default="")
    organiser = models.CharField(_("主办方"), max_length=100, blank=True, default="")
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)


class Skill(ResumeRow):
    name = models.CharField(_("技能"), max_length=60)
    level = models.CharField(_("水平"), max_length=40, blank=True, default="")


class Language(ResumeRow):
    language = models.CharField(_("语言"), max_length=30)
    level = models.CharField(_("水平或证书"), max_length=40, blank=True, default="")


class Repertoire(ResumeRow):
    composer = models.CharField(_("作曲家"), max_length=60)
    work = models.CharField(_("作品"), max_length=150)
    movement = models.CharField(_("乐章"), max_length=100, blank=True, default="")
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)


class Masterclass(ResumeRow):
    teacher = models.CharField(_("授课人"), max_length=60)
    occasion = models.CharField(_("场合"), max_length=120, blank=True, default="")
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)


class Ensemble(ResumeRow):
    name = models.CharField(_("乐团或组合"), max_length=100)
    role = models.CharField(_("担任"), max_length=60, blank=True, default="")
    period = models.CharField(_("起止时间"), max_length=40, blank=True, default="")


class MediaKind(models.TextChoices):
    AUDIO = "audio", _("录音")
    VIDEO = "video", _("录像")
    LINK = "link", _("平台链接")


class MediaItem(ResumeRow):
    """A recording or video: an uploaded file (sealed, private) or a link to a platform."""

    title = models.CharField(_("标题"), max_length=120)
    kind = models.CharField(_("类型"), max_length=5, choices=MediaKind.choices)
    url = models.URLField(_("链接"), max_length=500, blank=True, default="")
    platform = models.CharField(_("平台"), max_length=40, blank=True, default="")
    file = models.FileField(
        upload_to=private_path, storage=private_storage, max_length=300, blank=True
    )
    original_name = models.CharField(max_length=200, blank=True, default="")
    content_type = models.CharField(max_length=60, blank=True, default="")
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, default="")

    class Meta(ResumeRow.Meta):
        constraints = [
            # A link has a URL and no file; an upload a file and no URL.
            models.CheckConstraint(
                condition=(models.Q(kind="link") & ~models.Q(url="") & models.Q(file=""))
                | (~models.Q(kind="link") & models.Q(url="") & ~models.Q(file="")),
                name="resume_media_link_or_file",
            )
        ]
