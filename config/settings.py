"""Settings for Proposal Desk.

Everything that differs per deployment comes from the environment. The defaults are a safe
development setup on SQLite; ``DJANGO_ENV=production`` switches on the hardened mode in which
``manage.py check --deploy`` is clean.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from common.storage_settings import default_storage_entry

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("DJANGO_ENV", "development").lower() == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

_DEV_SECRET = "dev-only-insecure-key-change-me"  # noqa: S105 - refused below in production
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
if PRODUCTION and SECRET_KEY == _DEV_SECRET:
    raise RuntimeError("SECRET_KEY must be set in the environment when DJANGO_ENV=production")

# The key of the audit chain and of the signed records' hashes (audit/keys.py): never in the
# database. Empty means a key derived from SECRET_KEY, which the check audit.E002 refuses in
# production. AUDIT_ANCHOR_PATH is where the chain's head is appended (audit/anchor.py).
AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
AUDIT_ANCHOR_PATH = Path(os.environ.get("AUDIT_ANCHOR_PATH", BASE_DIR / "var" / "audit-anchor.log"))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if not PRODUCTION else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "common.apps.CommonConfig",  # no models: its system checks (object storage)
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "documents",
    "proposals",
    "replies",
    "consultations",
    "audit",
    # Login lockout (issue 6): django-axes, see AXES_* below.
    "config.apps.AxesConfig",  # "axes" under its Chinese name in the admin
    # Versions of proposals, assignments, replies and records: each app tracks its own (audit.history).
    "simple_history",
    "oversight",
    "search",
    # Background work (volume builds, reminder e-mails): django-tasks with its database backend,
    # so any number of web machines and workers share one queue without an extra broker.
    "django_tasks",
    "config.apps.TasksDatabaseConfig",  # "django_tasks_db" under its Chinese name
    # manage.py bench_data: the benchmark data set (bench/README.md).
    "bench",
]

# Reverse proxies whose X-Real-IP is the client's address (common/proxy.py); comma-separated
# addresses or networks, e.g. "127.0.0.1" behind nginx on the same machine. Empty: nobody's.
TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")

MIDDLEWARE = [
    "common.proxy.TrustedProxyMiddleware",  # first: everything after sees the client's address
    "django.middleware.security.SecurityMiddleware",
    "audit.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditMiddleware",
    "audit.kept_posts.KeepTypedTextMiddleware",  # a form's text outlives an ended session
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "proposals.context_processors.navigation",
                "oversight.context_processors.work_counts",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default: WAL so readers never wait for the writer, IMMEDIATE
# transactions so a write transaction takes the lock up front instead of failing half-way
# with "database is locked", and a busy timeout so concurrent writers queue instead of erroring.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    # PostgreSQL's default random_page_cost (4) prices a page read off a spinning disk. On SSD or a
    # cached database, 1.1 (the usual SSD setting) lets the planner take the GIN index for a common
    # search word: with 4 it counted 发展 (22,600 of 100,000 proposals) by a sequential scan that
    # de-TOASTs every row's search vector, 350 ms instead of 35 ms. Sent as a startup option unless
    # the URL has ``?options=…``; PG_SESSION_OPTIONS="" sends none (pgbouncer in transaction mode
    # refuses startup options: set it there with ALTER DATABASE … SET random_page_cost = 1.1).
    PG_SESSION_OPTIONS = os.environ.get("PG_SESSION_OPTIONS", "-c random_page_cost=1.1")
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        if PG_SESSION_OPTIONS:
            DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", PG_SESSION_OPTIONS)
        # QuerySet.iterator() would open a server-side cursor (DECLARE … WITH HOLD, FETCH, CLOSE):
        # every form select of a few dozen rows (the list's filters: meetings, agencies, categories)
        # paid three round trips. Off, as pgbouncer in transaction mode needs it anyway; the one
        # long iteration (verify_records) reads in batches by id.
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "var" / "db.sqlite3"))
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "proposals.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 8 characters, 12 for staff, administrators and auditors (the role is read from the user).
    {
        "NAME": "audit.password_validation.RoleMinimumLengthValidator",
        "OPTIONS": {"min_length": 8, "privileged_min_length": 12},
    },
    {"NAME": "audit.password_validation.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Login protection (django-axes) ---------------------------------------------------------
# 5 failed logins from one address lock that address out for 30 minutes, on the site login and
# /admin/ alike (both authenticate through these backends). Successful logins are recorded in
# the audit trail, so axes' own access log is off.
AUTHENTICATION_BACKENDS = [
    "audit.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_LOCKOUT_CALLABLE = "audit.views.lockout_response"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
# Media (uploads, issued PDFs) lives outside the static root and has no public URL: every file is
# served by a view that applies the visibility rules. Code reaches it only through the storage API.
# S3_BUCKET puts it in an S3-compatible object store (S3_ENDPOINT_URL, S3_ACCESS_KEY_ID,
# S3_SECRET_ACCESS_KEY, S3_REGION; common/storage_settings.py), shared by every app node and worker;
# the check common.E001 refuses a bucket without its endpoint or keys. Unset: the folder MEDIA_ROOT.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": default_storage_entry(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
UPLOAD_MAX_BYTES = 20 * 1024 * 1024

# --- Cache ----------------------------------------------------------------------------------
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith("redis"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "proposal-desk@localhost")

# --- Background tasks -----------------------------------------------------------------------
# The worker is `manage.py db_worker` (started by `make run` beside the server). TASKS_BACKEND may
# name django_tasks.backends.immediate.ImmediateBackend to run tasks inline (no worker).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A failed task is re-enqueued until it has run this many times; then it stays failed for staff to see.
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "3"))

# --- Sessions and security ------------------------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age above becomes an idle timeout
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by audit.middleware.ContentSecurityPolicyMiddleware in every mode: no inline scripts or
# styles anywhere (templates and Django's admin load only same-origin files). "" turns it off.
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'",
)

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Official documents ---------------------------------------------------------------------
# The face of each role of the PDF templates. By default 仿宋 and 楷体 are the Fandol faces vendored
# in documents/fonts/ (GPL with the font exception: embedding them puts no PDF under the GPL), loaded
# with @font-face and embedded; 小标宋 (titles, in bold) and 黑体 are installed Noto CJK families.
# FONT_<ROLE>_FILE points a role at another font file (licensed 仿宋_GB2312 / 方正小标宋);
# FONT_<ROLE>_FAMILY alone names an installed family instead of the default file. Characters a face
# lacks (rare characters in names) come from the role's fallback family. documents/checks.py warns
# when a configured file or family is missing (W003, W004).
DOCUMENT_FONT_DIR = BASE_DIR / "documents" / "fonts"


def _document_font(role: str, family: str, file: str = "", fallback: str = "Noto Serif CJK SC") -> dict[str, str]:
    own_family = os.environ.get(f"FONT_{role.upper()}_FAMILY", "")
    own_file = os.environ.get(f"FONT_{role.upper()}_FILE", "")
    if not own_file and not own_family and file:
        own_file = str(DOCUMENT_FONT_DIR / file)
    return {"family": own_family or family, "file": own_file, "fallback": fallback}


DOCUMENT_FONTS = {
    "fangsong": _document_font("fangsong", "FandolFang", "FandolFang-Regular.otf"),
    "xiaobiaosong": {
        **_document_font("xiaobiaosong", "Noto Serif CJK SC"),
        "weight": os.environ.get("FONT_XIAOBIAOSONG_WEIGHT", "bold"),
    },
    "heiti": _document_font("heiti", "Noto Sans CJK SC", fallback="Noto Sans CJK SC"),
    "kaiti": _document_font("kaiti", "FandolKai", "FandolKai-Regular.otf"),
}
# The installation's first committee is made from these (migration proposals 0014); after that each
# committee's names and rules are data (admin: 政协委员会), and these are read nowhere else.
COMMITTEE_FULL_NAME = os.environ.get("COMMITTEE_FULL_NAME", "中国人民政治协商会议晋城市委员会")
COMMITTEE_NAME = os.environ.get("COMMITTEE_NAME", "晋城市政协")
COMMITTEE_SHORT_NAME = os.environ.get("COMMITTEE_SHORT_NAME", "市政协")

# --- Rules of the proposal work (each can be changed per deployment) ------------------------
REPLY_CLASS_D_ENABLED = env_bool("REPLY_CLASS_D_ENABLED", False)
REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = env_bool("REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE", True)
# Whoever submits a reply for sign-off may not issue it (separation of duties); read in replies/rules.py.
REPLY_SEPARATE_SUBMIT_AND_ISSUE = env_bool("REPLY_SEPARATE_SUBMIT_AND_ISSUE", True)

# --- Text messages (common/sms.py): the console backend logs (numbers masked); the HTTP gateway
# backend posts to the provider. Which in-app notifications also go by SMS (oversight.inbox).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "common.sms.ConsoleBackend")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TEMPLATE = os.environ.get("SMS_GATEWAY_TEMPLATE", '{"to": {phone}, "content": {text}}')
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_NOTIFY_KINDS = tuple(
    k.strip()
    for k in os.environ.get("SMS_NOTIFY_KINDS", "assignment_urge,overdue,consultation_record").split(",")
    if k.strip()
)

# One handler, one line per record, one clock: every line (the server's requests too) goes to the
# root's console handler with the time in TIME_ZONE (Django sets the process's zone to it). Django's
# own default handlers are taken off its loggers, or each of its lines ("Not Found: …") came twice.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s", "datefmt": "%Y-%m-%d %H:%M:%S"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
