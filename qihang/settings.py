"""Qihang settings: one file, read from the environment with working local defaults.

Production (QIHANG_PRODUCTION=1) refuses to start without its secrets in the environment;
local and demo use generates them once into the data directory.
"""

from pathlib import Path

import dj_database_url
import platformdirs
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy

from qihang.lib.env import env_bool, env_int, env_list, env_str, local_secret

BASE_DIR = Path(__file__).resolve().parent
PRODUCTION = env_bool("QIHANG_PRODUCTION")
DEBUG = env_bool("QIHANG_DEBUG", default=not PRODUCTION)
DATA_DIR = Path(env_str("QIHANG_DATA_DIR") or platformdirs.user_data_dir("qihang"))


def _secret(name: str, filename: str) -> str:
    value = env_str(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return local_secret(DATA_DIR, filename)


SECRET_KEY = _secret("QIHANG_SECRET_KEY", "secret_key")
# Keys for sensitive fields: "id:key,id:key" with the current key first; older keys still decrypt.
FIELD_ENCRYPTION_KEYS = env_list("QIHANG_FIELD_KEYS") or [
    "k1:" + _secret("QIHANG_FIELD_KEY", "field_key")
]
# Separate key for the keyed hashes (blind indexes) used to look up encrypted values.
FIELD_HASH_KEY = _secret("QIHANG_HASH_KEY", "hash_key")

ALLOWED_HOSTS = env_list("QIHANG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("QIHANG_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # the job index's tsvector field (harmless on SQLite)
    "axes",
    "django_otp",  # the second factor (TOTP) of staff who unmask or read wellbeing data
    "django_otp.plugins.otp_totp",
    "ninja",  # serves Swagger UI from its own static files (no CDN) for /api/v1/docs
    "django_tasks_db",
    "django_countries",  # ISO 3166-1 countries with Chinese names, for destinations abroad
    "qihang.accounts",
    "qihang.institutions",
    "qihang.audit",
    "qihang.graduates",
    "qihang.destinations",
    "qihang.regions",
    "qihang.imports",
    "qihang.employers",
    "qihang.jobs",
    "qihang.search",
    "qihang.applications",  # applications
    "qihang.notifications",
    "qihang.reports",
    "qihang.events",  # events app
    # appointments
    "qihang.appointments",
    # ventures
    "qihang.ventures",
    "qihang.guidance",  # guidance
    "qihang.verification",  # verification (issue 9)
    "qihang.agreements",  # agreements (issue 9)
    "qihang.documents",  # documents (issue 9)
    "qihang.reporting",  # reporting to the education authorities
    "qihang.privacy",  # key rotation, consent, retention (issue 10)
    "qihang.wellbeing",  # check-ins and referrals, read by psychological counsellors only
    "qihang.assistance",  # key-group assistance: files, plans, follow-ups, subsidies
    "qihang.demo",
    "qihang.web",
    # resumes (issue 8)
    "qihang.resumes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the security headers, before sessions and CSP: they need
    # neither, and `qihang serve` (gunicorn) has no other way to serve them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session confirmed a TOTP code (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Staff who must use a second factor reach no page before it (accounts.mfa).
    "qihang.accounts.middleware.MfaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qihang.urls"
WSGI_APPLICATION = "qihang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qihang.institutions.context_processors.actor",
                "qihang.notifications.context_processors.unread",
                "qihang.web.context_processors.nav",
            ],
        },
    }
]

# --- Database: DATABASE_URL, or embedded SQLite in the data directory ---------------------------
_default_sqlite = f"sqlite:///{DATA_DIR / 'qihang.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL") or _default_sqlite)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the task worker write while pages read; IMMEDIATE avoids lock upgrades failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("QIHANG_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The seam for campus single sign-on (CAS/OIDC): add its backend here; it must map the
    # campus identity to a User and leave memberships to Qihang.
    "qihang.accounts.backends.IdentifierBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600  # invitation links stay valid for a week

AXES_FAILURE_LIMIT = env_int("QIHANG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Failures count per account, not per spelling: "Voice@…" and "90001:学号" reach the same account
# as "voice@…" and "学号", so they must share one counter.
AXES_USERNAME_CALLABLE = "qihang.accounts.backends.lockout_username"

# Multi-factor authentication (accounts.mfa): the name authenticator apps show beside the code.
OTP_TOTP_ISSUER = "启航 Qihang"

# --- Security headers, cookies, CSP ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("QIHANG_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env_int("QIHANG_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool("QIHANG_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Internationalisation: Simplified Chinese by default, English available -----------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("QIHANG_TIME_ZONE", "Asia/Shanghai")
# Country names (django-countries) in Chinese official usage: Hong Kong, Macao and Taiwan are
# parts of China, and the places people from here go most come first in a select.
COUNTRIES_OVERRIDE = {
    "HK": gettext_lazy("中国香港"),
    "MO": gettext_lazy("中国澳门"),
    "TW": gettext_lazy("中国台湾"),
    "MK": gettext_lazy("北马其顿"),
}
COUNTRIES_FIRST = ["CN", "HK", "MO", "TW"]
USE_I18N = True
USE_TZ = True

# --- Files ------------------------------------------------------------------------------------------
STATIC_URL = "static/"
# `qihang collectstatic` writes here; WhiteNoise serves it (nginx may too, see docs/deployment.md).
STATIC_ROOT = Path(env_str("QIHANG_STATIC_ROOT") or DATA_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without DEBUG nothing serves files from the source tree, so static files come from a
# collectstatic run: hashed names (cached for ever) and gzip copies, both made by WhiteNoise's
# storage. With DEBUG (runserver, tests) names stay plain and no collectstatic is needed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Decided here with the storage, not from DEBUG at request time (tests switch DEBUG off after
# reading settings): with DEBUG, files come from the source tree as they change.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG
# Otherwise WhiteNoise's defaults are the right ones: hashed names are cached for ever
# ("immutable"), anything requested by its plain name for 60 seconds.
# Evidence and import files are private: they are served only through permission-checked views.
MEDIA_ROOT = Path(env_str("QIHANG_MEDIA_ROOT") or DATA_DIR / "files")
MEDIA_URL = "/files/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
QIHANG_MAX_IMPORT_BYTES = env_int("QIHANG_MAX_IMPORT_BYTES", 50 * 1024 * 1024)
QIHANG_MAX_EVIDENCE_BYTES = env_int("QIHANG_MAX_EVIDENCE_BYTES", 10 * 1024 * 1024)
# resumes: a portfolio recording or video uploaded by a graduate (links have no limit)
QIHANG_MAX_MEDIA_BYTES = env_int("QIHANG_MAX_MEDIA_BYTES", 50 * 1024 * 1024)
# What an import file may expand to once read (qihang.lib.tabular.Limits): beyond it, refused.
QIHANG_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("QIHANG_IMPORT_MAX_UNCOMPRESSED_BYTES", 400 << 20)
QIHANG_IMPORT_MAX_PART_BYTES = env_int("QIHANG_IMPORT_MAX_PART_BYTES", 200 << 20)
QIHANG_IMPORT_MAX_ROWS = env_int("QIHANG_IMPORT_MAX_ROWS", 300_000)
QIHANG_IMPORT_MAX_COLUMNS = env_int("QIHANG_IMPORT_MAX_COLUMNS", 1_000)
QIHANG_IMPORT_MAX_CELLS = env_int("QIHANG_IMPORT_MAX_CELLS", 10_000_000)
QIHANG_IMPORT_MAX_CELL_CHARS = env_int("QIHANG_IMPORT_MAX_CELL_CHARS", 32_767)
# Uploaded import files (encrypted) are deleted this many days after their job finished;
# the job keeps its report (`qihang purge_import_files`, also run after every import job).
QIHANG_IMPORT_RETENTION_DAYS = env_int("QIHANG_IMPORT_RETENTION_DAYS", 30)
# A cohort's personal data (ID numbers, 民族, phones, key-group and assistance texts, wellbeing
# answers …) is anonymised after the end of the year this many years after its graduation year
# (qihang.privacy.retention, `qihang purge_sensitive`); its figures survive. Never below 3: the
# evidence behind a placement is archived at least 3 years (DOMAIN.md §3).
QIHANG_SENSITIVE_RETENTION_YEARS = max(env_int("QIHANG_SENSITIVE_RETENTION_YEARS", 5), 3)

# --- E-mail (invitations): SMTP in production, files in the data directory locally --------------
if PRODUCTION or env_str("QIHANG_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("QIHANG_EMAIL_HOST", "localhost"),
                "port": env_int("QIHANG_EMAIL_PORT", 25),
                "username": env_str("QIHANG_EMAIL_USER") or None,
                "password": env_str("QIHANG_EMAIL_PASSWORD") or None,
                "use_tls": env_bool("QIHANG_EMAIL_TLS"),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "outbox")},
        }
    }
DEFAULT_FROM_EMAIL = env_str("QIHANG_FROM_EMAIL", "qihang@localhost")
# Where people reach this deployment: invitation and set-password links are built from it, since
# a background task or a command has no request to take the host and port from.
QIHANG_BASE_URL = env_str("QIHANG_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
if (
    not QIHANG_BASE_URL.startswith(("http://", "https://"))
    or "/" in QIHANG_BASE_URL.split("//", 1)[1]
):
    raise ImproperlyConfigured(
        f"QIHANG_BASE_URL must be a scheme and host (http://host:port), got {QIHANG_BASE_URL!r}"
    )

# --- Notifications: SMS and WeChat beside e-mail (see qihang/notifications/channels.py) -------
# "file" writes each message as a JSON line under QIHANG_MESSAGE_OUTBOX_DIR (the local backend);
# "" turns the channel off (its deliveries are skipped); a dotted path names a vendor's backend.
QIHANG_SMS_BACKEND = env_str("QIHANG_SMS_BACKEND", "" if PRODUCTION else "file")
QIHANG_WECHAT_BACKEND = env_str("QIHANG_WECHAT_BACKEND", "" if PRODUCTION else "file")
QIHANG_MESSAGE_OUTBOX_DIR = Path(env_str("QIHANG_MESSAGE_OUTBOX_DIR") or DATA_DIR / "messages")

# --- Agreements: the e-signature backend (see qihang/agreements/signing.py) ---------------------
# "local" signs in the platform (signer, time, SHA-256 of the signed bytes); a dotted path names
# an external vendor's backend class.
QIHANG_SIGNING_BACKEND = env_str("QIHANG_SIGNING_BACKEND", "local")
# --- Reporting to the education authorities (see qihang/reporting/backends.py) -----------------
# "file" writes each report run's file into QIHANG_REPORTING_OUTBOX_DIR (the local backend, which
# a person then uploads to the national or provincial system); a dotted path names an adapter
# that pushes to an authority's interface.
QIHANG_REPORTING_BACKEND = env_str("QIHANG_REPORTING_BACKEND", "file")
QIHANG_REPORTING_OUTBOX_DIR = Path(env_str("QIHANG_REPORTING_OUTBOX_DIR") or DATA_DIR / "reporting")

# --- Production server: `qihang serve` runs gunicorn with these (its options override them) -----
# Behind nginx the app listens on the loopback only; 0 workers means 2 × CPU cores + 1.
QIHANG_BIND = env_str("QIHANG_BIND", "127.0.0.1:8000")
QIHANG_WORKERS = env_int("QIHANG_WORKERS", 0)
# Seconds a request may take before its worker is replaced: imports run in the task worker, so
# the slowest request is an export or a dashboard, far below this.
QIHANG_WORKER_TIMEOUT = env_int("QIHANG_WORKER_TIMEOUT", 60)

# --- Background work: django.tasks; the database backend needs `qihang db_worker` running ------------
TASKS = {
    "default": {
        "BACKEND": env_str("QIHANG_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("QIHANG_LOG_LEVEL", "WARNING")},
}
