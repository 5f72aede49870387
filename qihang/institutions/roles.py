"""Roles and what each may do. The one place that maps roles to permissions."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CAREER_CENTRE = "career_centre", _("就业指导中心")
    DEPARTMENT_STAFF = "department", _("院系就业工作人员")
    TEACHER = "teacher", _("导师/辅导员")
    GRADUATE = "graduate", _("毕业生")
    LEADERSHIP = "leadership", _("校领导")
    # Wellbeing (issue 10): the one role that reads graduates' check-ins, referrals and notes.
    PSYCH_COUNSELLOR = "psych_counsellor", _("心理咨询老师")


class EmployerRole(models.TextChoices):
    """Roles inside an employer organisation (employers.EmployerMember), not an institution."""

    ADMIN = "admin", _("单位管理员")
    RECRUITER = "recruiter", _("招聘专员")


class Perm(StrEnum):
    ROSTER_VIEW = "roster.view"
    ROSTER_IMPORT = "roster.import"
    ROSTER_EXPORT = "roster.export"
    # Export 身份证号 and 手机号码 in full (a file a provincial system needs); each graduate in it
    # is logged as an unmasked read. Only the career centre by default.
    ROSTER_EXPORT_UNMASKED = "roster.export_unmasked"
    SENSITIVE_REVEAL = "sensitive.reveal"
    DESTINATION_VIEW = "destination.view"
    DESTINATION_REPORT_OWN = "destination.report_own"
    DESTINATION_RECORD = "destination.record"  # a counsellor records on a graduate's behalf
    DESTINATION_REVIEW = "destination.review"
    DESTINATION_APPROVE = "destination.approve"
    DESTINATION_IMPORT = "destination.import"
    STATS_VIEW = "stats.view"
    STAFF_MANAGE = "staff.manage"
    MENTOR_ASSIGN = "mentor.assign"  # name a teacher as mentor of graduates
    SETTINGS_MANAGE = "settings.manage"
    AUDIT_VIEW = "audit.view"
    # Employers and jobs (issue 7). Staff side:
    EMPLOYER_VIEW = "employer.view"  # the institution's employers and their standing
    EMPLOYER_VERIFY = "employer.verify"  # verify, reject, suspend an employer here
    EMPLOYER_RELATE = "employer.relate"  # contacts, visits and calls, notes, channel credit
    JOB_VIEW = "job.view"  # every posting of the institution, whatever its state
    JOB_POST = "job.post"  # post a job on an employer's behalf (a teacher's lead, a feed)
    JOB_REVIEW = "job.review"  # approve, hold or return postings; trust a feed
    SHARE_MANAGE = "share.manage"  # share jobs, events, employers with a paired institution
    JOB_PUSH = "job.push"  # push a job to a graduate one mentors
    # Graduate side: browse published jobs, see recommendations.
    JOB_BROWSE = "job.browse"
    # Search jobs (/search/jobs/, GET /api/v1/jobs): graduates and staff alike; what each finds
    # is scoping's business (published jobs only without JOB_VIEW). Added by the search work:
    # one page and one API operation serve both, and a route declares one permission.
    JOB_SEARCH = "job.search"
    # Employer side (an employer account acting for its organisation, any institution):
    EMPLOYER_PORTAL = "employer.portal"  # its own organisation, postings and standing
    EMPLOYER_MANAGE = "employer.manage"  # its organisation's profile and recruiters
    # Platform administrator only: the guard rules every institution's postings are checked by.
    GUARD_MANAGE = "guard.manage"
    # One's own inbox through the API (notifications app): every role that may hold a token,
    # employers' too (the inbox page only asks for a signed-in person).
    NOTIFICATIONS_OWN = "notifications.own"
    # Applications (issue 8, qihang/applications). A graduate applies, withdraws, accepts an
    # offer; staff follow the applications of the graduates they see; employers answer theirs
    # with EMPLOYER_PORTAL.
    APPLICATION_APPLY = "application.apply"
    APPLICATION_VIEW = "application.view"
    # resumes (issue 8): a graduate's own résumé, portfolio and consent; staff reading those
    # of the graduates they look after; employers browsing graduates who consented.
    RESUME_OWN = "resume.own"
    RESUME_VIEW = "resume.view"
    RESUME_BROWSE = "resume.browse"
    # Info sessions and job fairs (events app). Staff side:
    EVENT_VIEW = "event.view"  # the institution's events, attendance and conversion figures
    EVENT_MANAGE = "event.manage"  # rooms; approve or decline requests; fairs and booths
    EVENT_CHECKIN = "event.checkin"  # check graduates in at the door (typed code or scan)
    # Graduate side: register for eligible events, cancel, one's tickets.
    EVENT_REGISTER = "event.register"
    # Employer side: request an info session (slot and room), see one's events and counts.
    EVENT_REQUEST = "event.request"
    # appointments: a graduate books and cancels; an adviser (an Adviser row the centre made)
    # publishes slots and writes notes; the centre appoints advisers and reads the overview.
    APPOINTMENT_BOOK = "appointment.book"
    APPOINTMENT_ADVISE = "appointment.advise"
    APPOINTMENT_MANAGE = "appointment.manage"
    # ventures: a graduate's own projects; staff read the projects (scoped); the centre edits the
    # parks directory (platform-wide reference data).
    VENTURE_OWN = "venture.own"
    VENTURE_VIEW = "venture.view"
    VENTURE_PARKS_EDIT = "venture.parks_edit"
    # guidance: courses and talks. Staff read them with attendance and feedback; the centre
    # (department staff: their departments' courses) edits, publishes and shares them; a
    # graduate reads the catalogue, records attendance by code and gives feedback.
    GUIDANCE_VIEW = "guidance.view"
    GUIDANCE_MANAGE = "guidance.manage"
    GUIDANCE_ATTEND = "guidance.attend"
    # verification (issue 9): the centre draws rounds, records calls, decides on anomaly flags
    # and imports enrolment lists; department staff and leadership read the rounds' results
    # (department staff: their departments' samples).
    VERIFICATION_VIEW = "verification.view"
    VERIFICATION_MANAGE = "verification.manage"
    # agreements (issue 9, qihang/agreements): a graduate answers offers and asks to cancel;
    # staff read the agreements of the graduates they see; department staff review, the
    # career centre approves (and decides cancellations last). Employers offer with
    # EMPLOYER_PORTAL.
    AGREEMENT_OWN = "agreement.own"
    AGREEMENT_VIEW = "agreement.view"
    AGREEMENT_REVIEW = "agreement.review"
    AGREEMENT_APPROVE = "agreement.approve"
    # documents (issue 9): issued documents (recommendation form, agreement PDF) — a graduate's
    # own, or those of the graduates staff see (scoping decides); the centre revokes and
    # re-issues. The recommendation form: the graduate applies, the department assesses, the
    # centre approves. 档案/户口 (the dossier): department and centre edit, staff read (a
    # graduate reads their own with DESTINATION_REPORT_OWN).
    DOCUMENT_VIEW = "document.view"
    DOCUMENT_MANAGE = "document.manage"
    RECOMMENDATION_APPLY = "recommendation.apply"
    RECOMMENDATION_ASSESS = "recommendation.assess"
    RECOMMENDATION_APPROVE = "recommendation.approve"
    DOSSIER_VIEW = "dossier.view"
    DOSSIER_EDIT = "dossier.edit"
    # Reporting to the education authorities (issue 9, qihang/reporting). The centre exports,
    # records report runs, imports the authority's returned list and opens check windows;
    # department staff answer their graduates' correction requests and see the records the
    # authority returned; a graduate checks their own data (生源信息核对) and asks to correct it.
    REPORTING_MANAGE = "reporting.manage"
    REPORTING_CORRECT = "reporting.correct"
    REPORTING_CHECK_OWN = "reporting.check_own"
    # Key groups (issue 10): which key groups a graduate belongs to is sensitive. Staff who
    # help the graduates they see read memberships (each read logged) and confirm, dismiss or
    # end them; leadership sees the figures only.
    KEYGROUP_VIEW = "keygroup.view"
    KEYGROUP_DECIDE = "keygroup.decide"
    # Wellbeing (issue 10, qihang/wellbeing): a graduate checks in and may ask to be contacted;
    # only the psychological counsellor role reads individual check-ins, works referrals and
    # writes notes; staff and leadership see counts (no figure below five).
    WELLBEING_CHECKIN = "wellbeing.checkin"
    WELLBEING_CASES = "wellbeing.cases"
    WELLBEING_OVERVIEW = "wellbeing.overview"
    # Key-group assistance (issue 10, qihang/assistance): the file, plan, follow-ups,
    # programmes and subsidy of the key-group graduates staff help (scoped like the roster).
    ASSISTANCE_VIEW = "assistance.view"
    ASSISTANCE_EDIT = "assistance.edit"
    # Privacy (issue 10, qihang/privacy): a graduate's own consents, the download of what is
    # held about them and the list of who read their sensitive data.
    PRIVACY_OWN = "privacy.own"


# Whole-institution roles see every object of the institution; the others are narrowed by
# institutions.scoping (department staff: their departments; teacher: assigned graduates;
# graduate: themselves).
WHOLE_INSTITUTION_ROLES = frozenset({Role.CAREER_CENTRE, Role.LEADERSHIP, Role.PSYCH_COUNSELLOR})

# What the career centre has not: a graduate's own actions, an employer's, the platform's.
STAFF_EXCLUDED = frozenset(
    {
        Perm.DESTINATION_REPORT_OWN,
        Perm.JOB_BROWSE,
        Perm.EMPLOYER_PORTAL,
        Perm.EMPLOYER_MANAGE,
        Perm.GUARD_MANAGE,
        Perm.APPLICATION_APPLY,
        Perm.RESUME_OWN,
        Perm.RESUME_BROWSE,
        Perm.EVENT_REGISTER,
        Perm.EVENT_REQUEST,
        Perm.APPOINTMENT_BOOK,
        Perm.VENTURE_OWN,
        Perm.GUIDANCE_ATTEND,
        Perm.AGREEMENT_OWN,
        Perm.RECOMMENDATION_APPLY,
        Perm.REPORTING_CHECK_OWN,
        # Nobody but the psychological counsellor role reads a graduate's wellbeing: not the
        # centre, hence not a platform administrator (who acts with the centre's permissions).
        Perm.WELLBEING_CHECKIN,
        Perm.WELLBEING_CASES,
        Perm.PRIVACY_OWN,  # a graduate's own consents and data
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.CAREER_CENTRE: frozenset(Perm) - STAFF_EXCLUDED,
    Role.DEPARTMENT_STAFF: frozenset(
        {
            Perm.ROSTER_VIEW,
            Perm.ROSTER_EXPORT,
            Perm.DESTINATION_VIEW,
            Perm.DESTINATION_RECORD,
            Perm.DESTINATION_REVIEW,
            Perm.STATS_VIEW,
            Perm.MENTOR_ASSIGN,
            Perm.EMPLOYER_VIEW,
            Perm.EMPLOYER_RELATE,
            Perm.JOB_VIEW,
            Perm.JOB_POST,
            Perm.JOB_PUSH,
            Perm.JOB_SEARCH,
            Perm.NOTIFICATIONS_OWN,
            Perm.APPLICATION_VIEW,
            Perm.RESUME_VIEW,
            Perm.EVENT_VIEW,
            Perm.EVENT_CHECKIN,
            Perm.APPOINTMENT_ADVISE,
            Perm.VENTURE_VIEW,
            Perm.GUIDANCE_VIEW,
            Perm.GUIDANCE_MANAGE,
            Perm.VERIFICATION_VIEW,  # verification: their departments' samples
            Perm.AGREEMENT_VIEW,
            Perm.AGREEMENT_REVIEW,
            Perm.DOCUMENT_VIEW,  # documents
            Perm.RECOMMENDATION_ASSESS,
            Perm.DOSSIER_VIEW,
            Perm.DOSSIER_EDIT,
            Perm.REPORTING_CORRECT,
            Perm.KEYGROUP_VIEW,
            Perm.KEYGROUP_DECIDE,
            Perm.WELLBEING_OVERVIEW,
            Perm.ASSISTANCE_VIEW,
            Perm.ASSISTANCE_EDIT,
        }
    ),
    # Teachers and counsellors bring employers and jobs (the seed: mobilise everyone).
    Role.TEACHER: frozenset(
        {
            Perm.ROSTER_VIEW,
            Perm.DESTINATION_VIEW,
            Perm.DESTINATION_RECORD,
            Perm.EMPLOYER_VIEW,
            Perm.EMPLOYER_RELATE,
            Perm.JOB_VIEW,
            Perm.JOB_POST,
            Perm.JOB_PUSH,
            Perm.JOB_SEARCH,
            Perm.NOTIFICATIONS_OWN,
            Perm.APPLICATION_VIEW,
            Perm.RESUME_VIEW,
            Perm.EVENT_VIEW,
            Perm.APPOINTMENT_ADVISE,
            Perm.VENTURE_VIEW,
            Perm.GUIDANCE_VIEW,
            Perm.AGREEMENT_VIEW,
            Perm.DOCUMENT_VIEW,  # documents
            Perm.DOSSIER_VIEW,
            Perm.KEYGROUP_VIEW,  # key groups: the counsellor confirms each suggestion
            Perm.KEYGROUP_DECIDE,
            Perm.ASSISTANCE_VIEW,  # assistance: the mentor keeps their mentees' files
            Perm.ASSISTANCE_EDIT,
        }
    ),
    # Graduates have no API tokens (the page refuses them one), so not NOTIFICATIONS_OWN: their
    # inbox is the page, which only asks for a signed-in person.
    Role.GRADUATE: frozenset(
        {
            Perm.DESTINATION_REPORT_OWN,
            Perm.JOB_BROWSE,
            Perm.JOB_SEARCH,
            Perm.APPLICATION_APPLY,
            Perm.RESUME_OWN,
            Perm.EVENT_REGISTER,
            Perm.APPOINTMENT_BOOK,
            Perm.VENTURE_OWN,
            Perm.GUIDANCE_ATTEND,
            Perm.AGREEMENT_OWN,
            Perm.DOCUMENT_VIEW,  # documents: their own
            Perm.RECOMMENDATION_APPLY,
            Perm.REPORTING_CHECK_OWN,
            Perm.WELLBEING_CHECKIN,
            Perm.PRIVACY_OWN,
        }
    ),
    # Leadership reads everything and changes nothing.
    Role.LEADERSHIP: frozenset(
        {
            Perm.ROSTER_VIEW,
            Perm.ROSTER_EXPORT,
            Perm.DESTINATION_VIEW,
            Perm.STATS_VIEW,
            Perm.EMPLOYER_VIEW,
            Perm.JOB_VIEW,
            Perm.JOB_SEARCH,
            Perm.NOTIFICATIONS_OWN,
            Perm.APPLICATION_VIEW,
            Perm.RESUME_VIEW,
            Perm.EVENT_VIEW,
            Perm.VENTURE_VIEW,
            Perm.GUIDANCE_VIEW,
            Perm.VERIFICATION_VIEW,  # verification
            Perm.AGREEMENT_VIEW,
            Perm.DOCUMENT_VIEW,  # documents
            Perm.DOSSIER_VIEW,
            Perm.WELLBEING_OVERVIEW,
        }
    ),
    # The psychological counsellor: wellbeing and nothing else (no roster, no destinations).
    Role.PSYCH_COUNSELLOR: frozenset(
        {Perm.WELLBEING_CASES, Perm.WELLBEING_OVERVIEW, Perm.NOTIFICATIONS_OWN}
    ),
}

# Every employer account answers its applications, browses consenting graduates' résumés and
# requests events; admins also manage the organisation.
_EMPLOYER_COMMON = frozenset(
    {Perm.EMPLOYER_PORTAL, Perm.NOTIFICATIONS_OWN, Perm.RESUME_BROWSE, Perm.EVENT_REQUEST}
)
EMPLOYER_ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    EmployerRole.ADMIN: _EMPLOYER_COMMON | {Perm.EMPLOYER_MANAGE},
    EmployerRole.RECRUITER: _EMPLOYER_COMMON,
}

# A platform administrator acting inside an institution has the career centre's permissions.
PLATFORM_ADMIN_PERMISSIONS = ROLE_PERMISSIONS[Role.CAREER_CENTRE] | {Perm.GUARD_MANAGE}
