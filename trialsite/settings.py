"""TrialSite settings, read from the environment (see README, "Configuration").

Nothing here is specific to one machine: a deployment changes behaviour through environment
variables only. DEBUG is off unless DJANGO_DEBUG says otherwise, and then a secret key must be
given, because a guessable key would let anyone forge sessions and signatures.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# `make run` writes a git-ignored .env for development (DEBUG on, a random secret key). A
# variable already in the environment wins over the file. Production has no .env, so DEBUG
# stays off and a missing secret key still refuses to start. TRIALSITE_ENV_FILE names another
# file, or none when empty (the test suite: it must not run with a developer's DEBUG=1).
_ENV_FILE = env.str("TRIALSITE_ENV_FILE", default=str(BASE_DIR / ".env"))
if _ENV_FILE and Path(_ENV_FILE).is_file():
    environ.Env.read_env(_ENV_FILE)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Only the development server may fall back to a fixed key; it is never used with DEBUG off.
_DEV_SECRET_KEY = "django-insecure-trialsite-development-only"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # intcomma: counts grouped as the reader writes them (100.000 in Danish, 100,000 in English)
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "criteria",
    "screening",
    "trialsite",
]
# The model whose rows are the site's trials (field `registry_id`): named here, as
# AUTH_USER_MODEL is, so that the project's own pages (the access log) list trials without
# importing an app.
TRIAL_MODEL = "criteria.Trial"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so they see every response but the static files': no page is kept
    # in a browser's or proxy's cache, and every page carries the Content-Security-Policy.
    "trialsite.middleware.no_store",
    "trialsite.middleware.ContentSecurityPolicy",
    # Before anything reads a parameter: PostgreSQL cannot take a NUL character.
    "trialsite.middleware.reject_nul_characters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "trialsite.middleware.refresh_idle_session",
    # In place of Django's LocaleMiddleware: the user's language, else the site's
    # (trialsite.language says why a browser's Accept-Language is not asked).
    "trialsite.language.user_language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view opts out (login page, health check).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]
# Outermost: times the whole request and sees the final status, 500s and lock-outs included.
MIDDLEWARE.insert(0, "trialsite.request_log.request_log")

# django-axes checks every authenticate() call (log-in page, admin) before Django's backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "trialsite.urls"

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
                "django.template.context_processors.i18n",
                "trialsite.context_processors.user_roles",
            ],
        },
    },
    {
        # The screening log's rows only (trialsite/jinja2.py says why); named `.jinja`.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "trialsite.jinja2.environment"},
    },
]

WSGI_APPLICATION = "trialsite.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A connection per request costs PostgreSQL a new backend process: keep each for a minute.
# Health checks test a kept connection before reuse, so a restarted database is reconnected.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No parallel workers for a request's query: each page's queries are small, and on a
    # server's few cores the workers one request starts take the CPU of the requests beside
    # it (the log's filtered count: 24 ms alone, 105 ms with two workers; docs/performance.md).
    # DB_PARALLEL_WORKERS gives them back to a host with cores to spare.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={env.int('DB_PARALLEL_WORKERS', default=0)}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# verify_audit appends each chain head it verified here and checks every earlier one, so a
# chain rewound or cut short inside the database is still seen. Outside the database on
# purpose: production points it at an append-only file (chattr +a) that is copied off the
# machine (docs/operations.md, "Audit anchors").
AUDIT_ANCHORS_FILE = Path(
    env.str("TRIALSITE_AUDIT_ANCHORS", default=str(BASE_DIR / "audit-anchors.jsonl"))
)
# The log's indexes INCLUDE the row id on PostgreSQL, so a page is read from the index alone;
# SQLite has no INCLUDE and needs none (its index entries carry the row id), so it warns
# (models.W040) at every command about a column it already has.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Repeated failed logins lock that user name from that address for a while (README,
# "Security and audit"). Behind a load balancer every client has the balancer's address, so
# the lock-out is then per user name: safer than trusting a forgeable X-Forwarded-For.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "trialsite.login_protection.lockout_response"
AXES_USERNAME_CALLABLE = "trialsite.login_protection.attempted_username"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Storage is always UTC; TIME_ZONE only changes how times are shown.
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Copenhagen")
# The interface in Danish or English (docs/translating.md). TRIALSITE_LANGUAGE is the site's
# language until a user chooses another (the switch in the menu; kept per user). Danish by
# default: the first site is a Danish hospital. The test suite runs in English.
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LANGUAGE_CODE = env.str("TRIALSITE_LANGUAGE", default="da")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"TRIALSITE_LANGUAGE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}."
    )
USE_I18N = True
# Dates and numbers as each language writes them (trialsite/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["trialsite.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from npm (`make static-deps`), never from a CDN or a pasted copy.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Tests and `make run` serve straight from the finders; production serves collectstatic output.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Reasons for changes are sentences, not labels: no 100-character cut-off in the history.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Sessions end after inactivity (clinical workstations are shared).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
# Activity moves the idle end on, saved at most once a minute: trialsite.middleware.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Only this site's own files run or style a page: no inline script or style (so injected
# markup cannot run), no plugins, no framing, forms post only here (docs/security-and-audit.md).
# img-src allows data: for the small SVG icons inside Bootstrap's CSS (select arrows, close
# buttons, check marks), which are images, never script. The admin's one exception:
# trialsite.middleware.ADMIN_POLICY.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    # TLS usually ends at the hospital's load balancer, which says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
    # A load balancer's health check asks over plain HTTP and does not follow redirects.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# One line per event on stdout (stderr under manage.py), for the hospital's log collector:
# JSON with time (UTC), level, logger and message; a request line (trialsite.request_log)
# adds user id, method, path, status and duration. Never a query string, form value or
# password (docs/operations.md).
_LOG_STREAM = env.str("TRIALSITE_LOG_STREAM", default="stdout")
if _LOG_STREAM not in {"stdout", "stderr"}:
    raise ImproperlyConfigured("TRIALSITE_LOG_STREAM must be stdout or stderr.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "trialsite.request_log.JsonLineFormatter"},
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "server": {"class": "logging.StreamHandler", "formatter": "server"},
        "json": {
            "()": "trialsite.request_log.CurrentStreamHandler",
            "stream_name": _LOG_STREAM,
            "formatter": "json",
        },
    },
    "loggers": {
        "trialsite": {"handlers": ["json"], "level": "INFO", "propagate": False},
        "screening": {"handlers": ["json"], "level": "INFO", "propagate": False},
        "criteria": {"handlers": ["json"], "level": "INFO", "propagate": False},
        "django": {"handlers": ["json"], "level": "WARNING", "propagate": False},
        # The development server's own request lines ("GET /log/ 200"), as Django prints them.
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
    },
}
# The development server prints its own request lines; one line per request is enough there.
if DEBUG:
    LOGGING["loggers"]["trialsite.request_log"] = {"level": "WARNING"}

# Prefill from the hospital record over FHIR R4 (docs/fhir.md). Unset FHIR_BASE_URL: no button.
FHIR_BASE_URL = env.str("FHIR_BASE_URL", default="")
FHIR_ACCESS_TOKEN = env.str("FHIR_ACCESS_TOKEN", default="")
FHIR_TIMEOUT_SECONDS = env.float("FHIR_TIMEOUT_SECONDS", default=10.0)
FHIR_PATIENT_IDENTIFIER_SYSTEM = env.str(
    "FHIR_PATIENT_IDENTIFIER_SYSTEM", default="urn:oid:1.2.208.176.1.2"
)
