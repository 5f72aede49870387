from django.urls import include, path
from django.views.i18n import set_language

from qihang.institutions.scoping import public

urlpatterns = [
    path("", include("qihang.web.urls")),
    path("accounts/", include("qihang.accounts.urls")),
    path("institution/", include("qihang.institutions.urls")),
    path("graduates/", include("qihang.graduates.urls")),
    path("destinations/", include("qihang.destinations.urls")),
    path("imports/", include("qihang.imports.urls")),
    path("reports/", include("qihang.reports.urls")),
    path("audit/", include("qihang.audit.urls")),
    path("notifications/", include("qihang.notifications.urls")),
    path("employers/", include("qihang.employers.urls")),
    path("jobs/", include("qihang.jobs.urls")),
    # Before the portal's own "employer/": its jobs pages are the jobs app's.
    path("employer/jobs/", include("qihang.jobs.portal_urls")),
    path("employer/applications/", include("qihang.applications.portal_urls")),  # applications
    path("employer/agreements/", include("qihang.agreements.portal_urls")),  # agreements
    path("employer/", include("qihang.employers.portal_urls")),
    path("events/", include("qihang.events.urls")),  # events app
    path("", include("qihang.search.urls")),  # /search/… and /recommendations/
    path("applications/", include("qihang.applications.urls")),  # applications
    path("appointments/", include("qihang.appointments.urls")),  # appointments
    path("ventures/", include("qihang.ventures.urls")),  # ventures
    path("wellbeing/", include("qihang.wellbeing.urls")),  # wellbeing (issue 10)
    path("assistance/", include("qihang.assistance.urls")),  # key-group assistance (issue 10)
    path("privacy/", include("qihang.privacy.urls")),  # consents and my data (issue 10)
    path("guidance/", include("qihang.guidance.urls")),  # guidance
    path("verification/", include("qihang.verification.urls")),  # verification (issue 9)
    path("agreements/", include("qihang.agreements.urls")),  # agreements (issue 9)
    path("documents/", include("qihang.documents.urls")),  # documents
    path("verify/", include("qihang.documents.verify_urls")),  # documents: public QR check
    path("reporting/", include("qihang.reporting.urls")),  # reporting to the authorities
    path("api/", include("qihang.api.urls")),
    # resumes (issue 8)
    path("resumes/", include("qihang.resumes.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
]
