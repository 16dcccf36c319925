"""Settings for 天津市特色小镇规划建设协同平台.

One file; every value that differs between machines comes from the environment.
"""

import datetime
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Development mode (DJANGO_DEBUG=1, as `make run` sets it): a fixed secret key, plain HTTP, static files from the
# finders, e-mail on the console. Django's own DEBUG is a separate opt-in within it (DJANGO_DEBUG_PAGES=1): its
# error pages are English (tracebacks, the list of URL patterns), so without it everyone, `make run`'s users
# included, gets the platform's Chinese 404/403/500 pages; a 500's traceback is in the console log either way.
DEVELOPMENT = env_bool("DJANGO_DEBUG", False)
DEBUG = DEVELOPMENT and env_bool("DJANGO_DEBUG_PAGES", False)
TESTING = "pytest" in sys.modules or env_bool("DJANGO_TESTING", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEVELOPMENT or TESTING:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests-0123456789abcdef"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG off) needs a long random secret key; "
            "set DJANGO_DEBUG=1 for local development."
        )

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Point it at PostgreSQL, e.g. postgres://user:pass@127.0.0.1:5432/tianjin_towns, "
        "or start the application with `make run`, which starts an embedded PostgreSQL."
    )
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Only PostgreSQL is supported: DATABASE_URL must start with postgres://")
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
# A persistent connection that died with a database restart is replaced instead of failing one request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" + (",testserver" if TESTING else ""))
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "tianjin_towns.apps.PlatformAdminConfig",  # django.contrib.admin with the platform's site (admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "guardian",
    "django_celery_beat",
    "pgtrigger",  # database triggers behind the audit trail (django-pghistory)
    "pghistory",
    "tianjin_towns.apps.AxesConfig",  # django-axes, named in Chinese in the admin
    # Two factors at sign-in (issue 22): an authenticator app (TOTP) and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "drf_spectacular_sidecar",
    "tianjin_towns.apps.ProjectConfig",
    "coordination",
    "ledgers",
    "inspections",
    "assessments",
]

MIDDLEWARE = [
    "tianjin_towns.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A NUL or an oversized field in any query or form is a 400 before a view sees it (tianjin_towns.input_limits).
    "tianjin_towns.input_limits.InputLimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The second factor, where it is owed, before any other page (coordination.two_factor).
    "django_otp.middleware.OTPMiddleware",
    "tianjin_towns.middleware.TwoFactorMiddleware",
    # A one-time password must be changed before any other page (coordination.services.people).
    "tianjin_towns.middleware.MustChangePasswordMiddleware",
    # Every tracked change of statistics records who made it and from which page (R-3.5 audit trail).
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tianjin_towns.middleware.SessionTimeoutMiddleware",
    "tianjin_towns.middleware.RefusalLogMiddleware",
    "tianjin_towns.middleware.DatabaseOutageMiddleware",
    "csp.middleware.CSPMiddleware",
    "tianjin_towns.middleware.DownloadHeadersMiddleware",  # after csp: sets the downloads' own policy first
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "tianjin_towns.urls"
WSGI_APPLICATION = "tianjin_towns.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "tianjin_towns.security.LoginThrottleBackend",  # django-axes: refuses locked-out logins, must come first
    "tianjin_towns.security.ProfileModelBackend",  # ModelBackend reading the user's profile in the same query
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

# The password policy (issue 22, 等保 2.0): eight characters or more of three kinds, not the user name, not one of the
# last PASSWORD_HISTORY_COUNT, changed every PASSWORD_MAX_AGE_DAYS (0: never); coordination.password_validation.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "coordination.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "coordination.password_validation.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "coordination.password_validation.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "coordination.password_validation.PasswordHistoryValidator"},
]
PASSWORD_HISTORY_COUNT = int(os.environ.get("PASSWORD_HISTORY_COUNT", "5"))
# The suite moves its clock by months in many tests: its passwords never age there, except in the tests of the rule.
# Two factors at sign-in (coordination.two_factor): compulsory for these roles (comma-separated role codes; by default
# the three administrators and the office's working groups, none in development and tests) or, with
# TWO_FACTOR_REQUIRED_FOR_ALL, for everybody; anyone may turn it on for their own account.
_TWO_FACTOR_DEFAULT = "" if DEVELOPMENT or TESTING else "admin,security,auditor,office"
TWO_FACTOR_REQUIRED_ROLES = [
    role.strip() for role in os.environ.get("TWO_FACTOR_REQUIRED_ROLES", _TWO_FACTOR_DEFAULT).split(",") if role.strip()
]
TWO_FACTOR_REQUIRED_FOR_ALL = env_bool("TWO_FACTOR_REQUIRED_FOR_ALL", False)
OTP_TOTP_ISSUER = "天津市特色小镇平台"
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "0" if TESTING else "90"))
# Argon2id at OWASP's parameters (tianjin_towns.security.Argon2idPasswordHasher): about 30 ms of CPU a login on this
# machine where Django's default PBKDF2 (1,000,000 iterations) takes about 440 ms, which on deadline day, 200 logins
# within a minute on two cores, took three quarters of the CPU (docs/performance.md, "Load and faults"). PBKDF2 stays listed: a
# password hashed before verifies, and is hashed again with Argon2id at that login.
PASSWORD_HASHERS = [
    "tianjin_towns.security.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    # Hashing a dozen personas' passwords per test with PBKDF2 would dominate the suite's time.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The platform speaks Chinese only: no language is negotiated (no LocaleMiddleware, no set_language), so a browser
# asking for English gets the same Chinese pages, e-mails and API messages. Django's own texts (form errors, the
# admin) come from its zh_Hans catalogue; pages say lang="zh-CN" (templates/base.html).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Browser libraries come from npm (package.json); they are served from node_modules, never a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEVELOPMENT or TESTING)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Development and tests serve static files straight from the finders; production from collectstatic.
WHITENOISE_USE_FINDERS = DEVELOPMENT or TESTING
WHITENOISE_AUTOREFRESH = DEVELOPMENT or TESTING
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# The security audit's rows older than SECURITY_AUDIT_RETENTION_DAYS (at least 180: 网络安全法 第二十一条) go to a
# compressed file here, outside the web root, every night (coordination.tasks.archive_security_audit).
SECURITY_AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("SECURITY_AUDIT_RETENTION_DAYS", "180")))
# The daily anomalies (coordination.security_anomalies): this many failed sign-ins or codes from one address in a day.
SECURITY_ANOMALY_FAILURES = int(os.environ.get("SECURITY_ANOMALY_FAILURES", "10"))
SECURITY_AUDIT_ARCHIVE_DIR = Path(os.environ.get("SECURITY_AUDIT_ARCHIVE_DIR", MEDIA_ROOT / "security-audit-archive"))
# LibreOffice for the PDF copies of the Word documents (tianjin_towns.lib.pdf): this path, else `soffice` on the PATH.
LIBREOFFICE = os.environ.get("LIBREOFFICE", "")
# Production: nginx sends uploaded files after Django's permission check (tianjin_towns.lib.downloads).
MEDIA_ACCEL_REDIRECT = env_bool("DJANGO_MEDIA_ACCEL_REDIRECT", False)

# Security: production values outside development mode.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEVELOPMENT)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEVELOPMENT
CSRF_COOKIE_SECURE = not DEVELOPMENT
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEVELOPMENT else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEVELOPMENT
SECURE_HSTS_PRELOAD = not DEVELOPMENT
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
if TESTING:
    SECURE_SSL_REDIRECT = False
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes inside the compose network speak plain HTTP
# tianjin_towns.middleware.SessionTimeoutMiddleware: logged out after this long without a request,
# and in any case this long after logging in (a working day).
# The longest text any single field may carry (a meeting's minutes are the longest real ones); tighter
# limits sit on the forms and serializers. NUL is refused everywhere (tianjin_towns.input_limits).
INPUT_MAX_FIELD_LENGTH = int(os.environ.get("INPUT_MAX_FIELD_LENGTH", "20000"))
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_LIFETIME = int(os.environ.get("SESSION_ABSOLUTE_LIFETIME", str(SESSION_COOKIE_AGE)))
# Behind nginx the client's address arrives in X-Real-IP; trust it only when nginx is the only way in.
TRUST_X_REAL_IP = env_bool("DJANGO_TRUST_X_REAL_IP", False)

# django-axes: a username is locked out from one address after repeated failures, for a cool-off period.
# Username AND address together: district offices share one public address, so locking the address
# would lock the whole office out because of one person, and locking the username alone would let
# anyone lock a colleague out from anywhere.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tianjin_towns.security.client_ip"
AXES_LOCKOUT_CALLABLE = "tianjin_towns.security.lockout_response"  # the page in Chinese, 429
AXES_VERBOSE = False  # tianjin_towns.security logs attempts and lockouts in the project's own format

# API tokens (coordination.models.tokens): a token unused for this many days expires; each use extends it.
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "30"))
# Password-reset e-mails per hour, at most: to one e-mail address or account, and from one client address
# (higher: a district office's colleagues share one public address). Beyond it the page looks the same
# and nothing is sent.
PASSWORD_RESET_EMAILS_PER_HOUR = int(os.environ.get("PASSWORD_RESET_EMAILS_PER_HOUR", "3"))
PASSWORD_RESET_EMAILS_PER_IP_PER_HOUR = int(os.environ.get("PASSWORD_RESET_EMAILS_PER_IP_PER_HOUR", "20"))

# Content-Security-Policy (django-csp): scripts and styles only from our own static files, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # Bootstrap draws its form icons as data: SVGs
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "coordination.authentication.ApiTokenAuthentication",  # `Authorization: Token <key>`, hashed, expiring
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "coordination.authentication.ApiClientsReadOnly",  # API clients of the data-sharing feed read only
    ],
    "DEFAULT_PARSER_CLASSES": [
        "tianjin_towns.input_limits.JSONParser",  # depth, NUL and length limits (issue 16)
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "tianjin_towns.lib.schema.Schema",
    "EXCEPTION_HANDLER": "tianjin_towns.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "天津市特色小镇规划建设协同平台 API",
    "DESCRIPTION": "REST API v1 (see shared/API.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package: no CDN, and no inline script (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Several models have a `status`; name each choice set once so the schema has no ambiguous enums.
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "ledgers.models.ReportStatus",
        "ProjectStatusEnum": "ledgers.models.Project.Status",
        "TownStatusEnum": "coordination.models.TownStatus",
        "TownLevelEnum": "coordination.models.Town.Level",
        "OrgUnitLevelEnum": "coordination.models.OrgUnit.Level",
        "MeetingKindEnum": "coordination.models.MeetingKind",
        "MeetingStateEnum": "coordination.models.MeetingState",
        "ActionItemStatusEnum": "coordination.models.ActionItemStatus",
        "PlanKindEnum": "coordination.models.PlanKind",
        "PlanStatusEnum": "coordination.models.PlanStatus",
        "PlanReviewEnum": "coordination.models.PlanVersion.Review",
        "ProblemStatusEnum": "inspections.models.ProblemStatus",
        "ProblemCategoryEnum": "inspections.models.ProblemCategory",
        "ProjectCategoryEnum": "ledgers.models.Project.Category",
        "VisitKindEnum": "inspections.models.Visit.Kind",
        "InspectionAttachmentKindEnum": "inspections.models.Attachment.Kind",
        "InspectionActionEnum": "inspections.models.InspectionEvent.Action",
        "IndicatorKindEnum": "ledgers.models.Indicator.Kind",
        "AssessmentKindEnum": "assessments.models.RunKind",
        "SanctionEnum": "assessments.models.Sanction",
    },
}

# Celery: Redis broker; the ONE beat schedule lives in tianjin_towns/celery.py.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A page or API call that queues a task gives up after this many seconds (connect and each socket
# operation, no retry) when the broker does not answer; the task's sweep delivers it later. The worker's
# own connection keeps CELERY_BROKER_TRANSPORT_OPTIONS above.
REQUEST_PUBLISH_TIMEOUT = float(os.environ.get("REQUEST_PUBLISH_TIMEOUT", "0.5"))
# A background export stops itself after this long (the worker kills it 30 s later); a job still
# unfinished this much plus the margin after it started (or was requested) is marked failed by the sweep.
EXPORT_TIME_LIMIT_SECONDS = int(os.environ.get("EXPORT_TIME_LIMIT_SECONDS", "600"))
EXPORT_STUCK_MARGIN_SECONDS = int(os.environ.get("EXPORT_STUCK_MARGIN_SECONDS", "300"))

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEVELOPMENT else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@tjtowns.gov.cn")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / ".data" / "mail"))  # the file backend's folder
# Links in e-mails point at this address.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Scheduling: the due-soon reminder goes this many working days before the due date;
# ledger exports of more rows than this run in the background with a progress bar.
REPORT_DUE_SOON_WORKING_DAYS = int(os.environ.get("REPORT_DUE_SOON_WORKING_DAYS", "1"))
# Monthly district meetings not yet held by this day of the month are reminded.
MEETING_REMINDER_DAY = int(os.environ.get("MEETING_REMINDER_DAY", "20"))
EXPORT_BACKGROUND_ROWS = int(os.environ.get("EXPORT_BACKGROUND_ROWS", "5000"))
# The ledger page lists every town up to this many; past it (a province) it shows one line per district, each
# opening its district's towns, and the full table is the export's (issue 21).
LEDGER_TOWN_ROWS = int(os.environ.get("LEDGER_TOWN_ROWS", "300"))

# Monthly report deadlines: due by this day of the next month, missing after the close day.
REPORT_DUE_DAY = int(os.environ.get("REPORT_DUE_DAY", "10"))
REPORT_CLOSE_DAY = int(os.environ.get("REPORT_CLOSE_DAY", "25"))
# Excel import of a month's figures and evidence attachments (原始记录, R-3.5): size limits.
LEDGER_IMPORT_MAX_BYTES = int(float(os.environ.get("LEDGER_IMPORT_MAX_MB", "5")) * 1024 * 1024)
EVIDENCE_UPLOAD_MAX_BYTES = int(float(os.environ.get("EVIDENCE_UPLOAD_MAX_MB", "10")) * 1024 * 1024)

# Photos and documents of inspections: each file at most this size.
INSPECTIONS_UPLOAD_MAX_BYTES = int(float(os.environ.get("INSPECTIONS_UPLOAD_MAX_MB", "10")) * 1024 * 1024)
# Reporting an action item done (督办事项) or a problem rectified (整改完成) needs evidence (a file; for a problem
# a photo or a document), per kind; without it the office verifies only with a written waiver (issue 19).
EVIDENCE_REQUIRED = {
    "action_item": env_bool("EVIDENCE_REQUIRED_ACTION_ITEM", True),
    "problem": env_bool("EVIDENCE_REQUIRED_PROBLEM", True),
}

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo12345")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Times in UTC with the request id, so that a line can be matched with nginx's log and the audit trail.
    "formatters": {
        "plain": {
            "()": "tianjin_towns.logs.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "filters": {"request_id": {"()": "tianjin_towns.logs.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes narrates every login at INFO; tianjin_towns.security logs them once, in our format.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
