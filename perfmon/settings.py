"""perfmon settings, read from environment variables.

Development needs nothing set: SQLite in the project folder, e-mail to the console,
DEBUG on. Production sets DEBUG=false and the variables listed in README.md; with
DEBUG off the site refuses to start without a real SECRET_KEY.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from csp.constants import UNSAFE_HASHES as CSP_UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", True)

_DEVELOPMENT_SECRET_KEY = "development-only-not-secret"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: use a long random value, "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY
elif not DEBUG and (SECRET_KEY == _DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use 50+ random chars.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "import_export",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "perfmon",
    "measures",
    "projects",
    "risks",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every response gets the Content-Security-Policy: see CONTENT_SECURITY_POLICY.
    "csp.middleware.CSPMiddleware",
    # Serves the built styles in production; runserver serves them in development.
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during sign-in into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "perfmon.urls"
WSGI_APPLICATION = "perfmon.wsgi.application"

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
                "perfmon.context_processors.council",
                "perfmon.context_processors.menu",
            ],
        },
    },
    {
        # The return's section rows only: see perfmon/jinja2.py.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "perfmon.jinja2.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database is shared by the site, a Celery worker and the tests' worker
    # threads: one file (the tests' too, never a shared in-memory cache, whose table locks
    # fail a second writer at once), write-ahead logging so reading never waits for
    # writing, and writers that take the write lock when their transaction begins and wait
    # up to 20 s for it, instead of failing with "database is locked".
    DATABASES["default"]["ENGINE"] = "perfmon.db.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "perfmon.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out sign-in is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "perfmon.auth.EmailOrUsernameBackend",
    # Loads people who signed in with their council account (perfmon.oidc); signing in
    # through the provider does not go through authenticate(), so django-axes never
    # counts a refused council sign-in as a wrong password.
    "perfmon.oidc.tokens.CouncilAccountBackend",
]
# --- Sign in with the council's account (OpenID Connect; perfmon/oidc, README "Council
# accounts"). Off unless OIDC_ISSUER is set. Read raw: `manage.py check` names any variable
# that is missing or wrong (perfmon/checks.py), and a wrong one leaves sign-in by password.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_ADMIN_GROUP = os.environ.get("OIDC_ADMIN_GROUP", "")
OIDC_ONLY = os.environ.get("OIDC_ONLY", "")
OIDC_CREATE_USERS = os.environ.get("OIDC_CREATE_USERS", "")
# --- end of council sign-in settings
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A password reset link works once, for an hour: long enough for the email to arrive.
PASSWORD_RESET_TIMEOUT = 60 * 60

# Repeated failed sign-ins are throttled per person *and* IP together, so one person
# mistyping cannot lock out a whole office that shares an address. The "username" axes
# counts under is the person, whether they typed their username or email address, in any
# case (perfmon.auth.axes_username).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "perfmon.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "perfmon.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# A try while paused starts the pause again, so the locked-out page's "wait N minutes"
# is always true (django-axes' default, set here because the page relies on it).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# A return page posts several fields per item: raise Django's cap so a 150-item
# portfolio saves in one form.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "perfmon@localhost")
# Where the accessibility statement (/accessibility/) asks people to report a problem.
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get("ACCESSIBILITY_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Spreadsheet exports must not carry formulas a council's Excel would run.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# The open data API (reports/api): read-only JSON, documented for people at /api/. Its views
# decide who may read (reports.api.permissions); the default refuses anyone not signed in.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": [
        # JSON only: people read the API on its GOV.UK page at /api/ (reports.api.views).
        "rest_framework.renderers.JSONRenderer",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "perfmon open data",
    "VERSION": "1.0.0",
    "DESCRIPTION": "Approved quarterly performance results: reporting years, themes, "
    "portfolios, measures, actions, priority projects and strategic risks. Read-only; "
    "no drafts, no commentary, no personal data.",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The RAG and the DCA share one scale: one name for it in the schema.
    "ENUM_NAME_OVERRIDES": {"ProjectRatingEnum": "projects.models.Rating"},
}

COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Derby City Council")
# The site's address as people reach it, for the links in emails sent by Celery workers
# (which have no request to take it from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# load_demo creates users with a published password: only where DEBUG is on, unless asked.
DEMO_ALLOWED = env_bool("DEMO_ALLOWED", DEBUG)

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# With REDIS_URL set, the cache is shared by web processes and Celery workers (uploads
# waiting for confirmation, import progress); without it (development), one process's.
CACHES = {
    "default": (
        {"BACKEND": "perfmon.redis_cache.SharedClientRedisCache", "LOCATION": REDIS_URL}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# With the shared cache, a request reads its session from Redis (sessions are still written
# to the database too, so signing in survives a cache flush); without it, from the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if os.environ.get("REDIS_URL")
    else "django.contrib.sessions.backends.db"
)
# django-import-export keeps an admin upload between its preview and its confirmation
# in the cache: shared across processes, and expiring after a day.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
# Annual results files bigger than this are checked and imported by a Celery worker while
# the page shows progress; without REDIS_URL there is no worker, so every file is done
# in the request.
RESULTS_IMPORT_BACKGROUND_BYTES = (
    int(os.environ.get("RESULTS_IMPORT_BACKGROUND_BYTES", str(256 * 1024)))
    if os.environ.get("REDIS_URL")
    else None
)
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that is down fails a request's queueing in about a second, not a minute.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2

# Production hardening: on whenever DEBUG is off, each one switchable for odd deployments.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", not DEBUG) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 10)))
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"


# --- Content-Security-Policy (django-csp), enforced on every response: README "Production
# outline". Scripts, styles, images, fonts and requests come from perfmon itself; no page has
# an inline script, style element or style attribute of its own (charts size themselves from
# classes in frontend/scss, the legend's swatches are data: images).
def csp_origin(url: str) -> str | None:
    """The origin (scheme://host[:port]) of an absolute http(s) URL, or None."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} else None


def csp_attribute_hash(value: str) -> str:
    """A CSP source allowing one exact style attribute or event handler, by its SHA-256."""
    digest = base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
    return f"'sha256-{digest}'"


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        # Django's admin runs under the same policy. Three style attributes and one event
        # handler in templates of the admin's add-ons, which perfmon does not override, are
        # allowed by hash, one exact value each, so no other attribute applies:
        # django-simple-history's history list ("border-top: 0") and django-import-export's
        # export page (its "Select all" box).
        "style-src-attr": [
            CSP_UNSAFE_HASHES,
            csp_attribute_hash("border-top: 0"),
            csp_attribute_hash("padding: 0;"),
            csp_attribute_hash("font-weight: bold;"),
        ],
        "script-src-attr": [CSP_UNSAFE_HASHES, csp_attribute_hash("onSelectToggleChange(event)")],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        # Signing out posts to perfmon, which redirects to the council's sign-in provider to
        # end its session there too; Chromium applies form-action to where a form's redirects
        # lead, so the provider's origin is allowed when council sign-in is configured.
        "form-action": [CSP_SELF, *filter(None, [csp_origin(OIDC_ISSUER)])],
        "frame-ancestors": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "object-src": [CSP_NONE],
    }
}
# --- end of Content-Security-Policy settings

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Report files (reports.report_files): an approved quarter's PDF, XLSX and CSV are made once
# and kept in the database under a key derived from the data they show. Formats listed
# here are made by a Celery worker while the page shows progress (a PDF takes seconds);
# the others (a workbook or a CSV takes a fraction of a second) are made in the request.
# Without REDIS_URL there is no worker, so every format is made in the request.
REPORT_FILES_BACKGROUND_FORMATS = (
    tuple(env_list("REPORT_FILES_BACKGROUND_FORMATS", "pdf")) if os.environ.get("REDIS_URL") else ()
)
