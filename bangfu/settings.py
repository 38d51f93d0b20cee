"""One settings module, configured through environment variables.

SQLite (WAL) under var/ by default so a fresh checkout runs with nothing else;
PostgreSQL when DATABASE_URL says so.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BANGFU_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Demo mode: the demo accounts and their printed passwords exist.
DEMO_MODE = env_bool("BANGFU_DEMO", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or DEMO_MODE):
        raise RuntimeError("SECRET_KEY must be set outside demo mode")
    SECRET_KEY = "insecure-demo-key-change-me-" + "x" * 32

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_rq",
    "axes",
    "csp",
    "bangfu.core",
    "bangfu.accounts",
    "bangfu.audit",
    "bangfu.regions",
    "bangfu.orgs",
    "bangfu.pairings",
    "bangfu.needs",
    "bangfu.plans",
    "bangfu.activities",
    "bangfu.dispatch",
    "bangfu.support",
    "bangfu.resources",
    "bangfu.trash",
    "bangfu.stats",
    "bangfu.dataio",
    "bangfu.extract",
    "bangfu.scale",
    "bangfu.security",
    "bangfu.demo",
    "bangfu.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bangfu.core.middleware.RequestContextMiddleware",
    # Answers django-ratelimit's Ratelimited with a 429 page instead of a 403.
    "bangfu.security.middleware.RatelimitMiddleware",
    "bangfu.accounts.middleware.SessionLimitsMiddleware",
    # Holds a signed-in user at the two-factor token page (or enrolment) until done.
    "bangfu.accounts.otp.TwoFactorMiddleware",
    # Separation of duties: administrators and the auditor stay in their own pages.
    "bangfu.accounts.middleware.RoleAreaMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bangfu.urls"
WSGI_APPLICATION = "bangfu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bangfu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bangfu.core.context_processors.bangfu",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "bangfu.sqlite3")),
            "OPTIONS": {
                # WAL lets readers work while one writer writes; concurrent
                # writers wait up to the busy timeout instead of failing.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    # Counts failed logins and refuses a locked account before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "bangfu.accounts.validators.CharacterClassValidator"},
    {
        "NAME": "bangfu.accounts.validators.PasswordHistoryValidator",
        "OPTIONS": {"keep": env_int("BANGFU_PASSWORD_HISTORY", 5)},
    },
]
PASSWORD_MAX_AGE_DAYS = env_int("BANGFU_PASSWORD_MAX_AGE_DAYS", 90)
INACTIVE_ACCOUNT_DAYS = env_int("BANGFU_INACTIVE_ACCOUNT_DAYS", 90)
# Five consecutive failures lock the account name for 30 minutes.
AXES_FAILURE_LIMIT = env_int("BANGFU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("BANGFU_LOCKOUT_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = [
    # Locking by address too would lock a whole school behind one NAT address;
    # per-address limits are the rate limiter's job.
    "axes.W006",
    # Covering indexes (INCLUDE) serve PostgreSQL; on SQLite the key columns
    # alone are the index we want.
    "models.W040",
]
# Audit entries older than this are removed by `manage.py purge_audit`
# (a system check refuses less than 180 days).
AUDIT_RETENTION_DAYS = env_int("BANGFU_AUDIT_RETENTION_DAYS", 180)
# Idle timeout: the cookie's age, renewed on every request.
SESSION_COOKIE_AGE = env_int("BANGFU_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# Absolute limit after signing in, whatever the activity.
SESSION_ABSOLUTE_SECONDS = env_int("BANGFU_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "bangfu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root
STATICFILES_DIRS = [BASE_DIR / "bangfu" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("BANGFU_MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded documents live outside the static root and are served only
# through views that check access to the record they belong to.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-served/"
UPLOAD_MAX_BYTES = env_int("BANGFU_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Limits of the one upload gate (bangfu.security.uploads) for zip-based
# Office files, checked on the zip directory before anything is decompressed.
UPLOAD_ZIP_MAX_MEMBERS = env_int("BANGFU_UPLOAD_ZIP_MAX_MEMBERS", 2000)
UPLOAD_ZIP_MAX_UNCOMPRESSED = env_int("BANGFU_UPLOAD_ZIP_MAX_UNCOMPRESSED", 200 * 1024 * 1024)
UPLOAD_ZIP_MAX_RATIO = env_int("BANGFU_UPLOAD_ZIP_MAX_RATIO", 100)
UPLOAD_IMAGE_MAX_PIXELS = env_int("BANGFU_UPLOAD_IMAGE_MAX_PIXELS", 50_000_000)

# --- Cache and rate limits ------------------------------------------------
# Redis when REDIS_URL is set, so every worker shares one set of counters;
# otherwise each process counts on its own (fine for one process and tests).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bangfu",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Background jobs (django-rq): with Redis, large imports and exports run on
# `manage.py rqworker default` and their pages poll the progress; without it
# they run in the request (tests, a fresh checkout).
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3 * 3600}} if REDIS_URL else {}
BANGFU_JOB_QUEUE = "default" if REDIS_URL else ""
# Smaller workbooks (about 3,000 activity rows) and exports run in the request
# even with a worker: a few seconds at most.
BANGFU_JOB_MIN_BYTES = env_int("BANGFU_JOB_MIN_BYTES", 200 * 1024)
BANGFU_JOB_MIN_EXPORT_ROWS = env_int("BANGFU_JOB_MIN_EXPORT_ROWS", 20_000)

RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env_bool("BANGFU_RATELIMIT", True)
# The proxy in front of gunicorn must set REMOTE_ADDR (or name its header here).
RATELIMIT_IP_META_KEY = os.environ.get("BANGFU_CLIENT_IP_META_KEY", "REMOTE_ADDR")
# Rates read by bangfu.security.ratelimits at request time, so tests can change them.
BANGFU_RATES = {
    "login_ip": os.environ.get("BANGFU_RATE_LOGIN_IP", "20/m"),
    "login_username": os.environ.get("BANGFU_RATE_LOGIN_USERNAME", "10/m"),
    "signin_ip": os.environ.get("BANGFU_RATE_SIGNIN_IP", "30/m"),
    "signin_token": os.environ.get("BANGFU_RATE_SIGNIN_TOKEN", "120/m"),
    "heavy_user": os.environ.get("BANGFU_RATE_HEAVY_USER", "30/m"),
    "heavy_ip": os.environ.get("BANGFU_RATE_HEAVY_IP", "60/m"),
    # Two-factor tokens: per signed-in user and per address (guessing 6 digits).
    "otp_user": os.environ.get("BANGFU_RATE_OTP_USER", "5/m"),
    "otp_ip": os.environ.get("BANGFU_RATE_OTP_IP", "30/m"),
}

# --- Personal data --------------------------------------------------------
# Key for encrypting ID-card and phone numbers at rest (32 bytes, base64).
# Without it (demo and development only) a key is derived from SECRET_KEY.
BANGFU_DATA_KEY = os.environ.get("BANGFU_DATA_KEY", "")
# Personal-data exports (people with names and numbers) each user may make per day;
# each needs the orgs.export_personal_data permission granted to the user.
PII_EXPORT_DAILY_LIMIT = env_int("BANGFU_PII_EXPORT_DAILY_LIMIT", 5)

# --- Two-factor sign-in (django-otp) ----------------------------------------
# Outside demo mode these roles must sign in with an authenticator app;
# everyone else may enrol one.
OTP_REQUIRED_ROLES = ("sysadmin", "secadmin", "auditor", "coordinator")
OTP_TOTP_ISSUER = os.environ.get("BANGFU_OTP_ISSUER", "bangfu")
# Backup codes issued at enrolment (each works once).
OTP_BACKUP_CODES = 10

# --- Security -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("BANGFU_HTTPS", False):
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: no inline scripts, no third-party origins (intranet users).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

PAGE_SIZE = 25

# --- REST API (bangfu.api) ------------------------------------------------
# Session sign-in only (CSRF enforced on writes), so the API obeys the same
# session limits and second factor as the pages. Only coordinators and school
# staff reach business data; rates are per user and per address, counted in
# the default cache like the other rate limits.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["bangfu.api.auth.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["bangfu.api.permissions.BusinessRole"],
    "DEFAULT_THROTTLE_CLASSES": [
        "bangfu.api.throttles.UserThrottle",
        "bangfu.api.throttles.AddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_user": os.environ.get("BANGFU_RATE_API_USER", "300/min"),
        "api_address": os.environ.get("BANGFU_RATE_API_IP", "600/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "bangfu.api.pagination.Pagination",
    "PAGE_SIZE": PAGE_SIZE,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "bangfu.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "帮扶 bangfu API",
    "DESCRIPTION": "教育结对帮扶平台的接口:读取行政区划、单位、人员、结对、需求、计划、活动、"
    "援派与物资资金帮扶,记录和修改活动与需求。登录后使用(会话 Cookie,写操作须带 CSRF 令牌);"
    "修改时须提交读取时的 version,记录已被他人修改则返回 409。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Local copies of Swagger UI (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No validator badge: it would load an image from swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # One schema name per choice set where several models use the same field name.
    "ENUM_NAME_OVERRIDES": {
        "PairingModeEnum": "bangfu.pairings.models.Pairing.Mode",
        "ActivityModeEnum": "bangfu.activities.models.Activity.Mode",
        "PairingStatusEnum": "bangfu.pairings.models.Pairing.Status",
        "NeedStatusEnum": "bangfu.needs.models.Need.Status",
        "PlanStatusEnum": "bangfu.plans.models.Plan.Status",
        "DispatchStatusEnum": "bangfu.dispatch.models.Dispatch.Status",
        "SideEnum": "bangfu.pairings.models.PairingParty.Side",
    },
}
