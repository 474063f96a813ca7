"""Settings shared by every environment. Every environment variable is read here."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").exists() else None

# ---------------------------------------------------------------- core
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
SITE_URL = env("RISKMGMT_SITE_URL", default="http://127.0.0.1:8000")

# ---------------------------------------------------------------- database
# SQLite in the project folder is the embedded default; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------- cache
# Per-process memory by default; production with several workers needs a shared cache
# (e.g. CACHE_URL=redis://127.0.0.1:6379/1) so the public form's rate limit holds.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# ---------------------------------------------------------------- public complaint form
# Proxies in front of Django whose X-Forwarded-For may be trusted (0: use REMOTE_ADDR).
RISKMGMT_TRUSTED_PROXY_COUNT = env.int("RISKMGMT_TRUSTED_PROXY_COUNT", default=0)
# Submissions allowed per IP address: (count, seconds).
RISKMGMT_PUBLIC_FORM_RATE = (
    env.int("RISKMGMT_PUBLIC_FORM_LIMIT", default=5),
    env.int("RISKMGMT_PUBLIC_FORM_WINDOW", default=600),
)

# ---------------------------------------------------------------- apps
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_celery_beat",
    "riskmgmt.core",
    "riskmgmt.accounts",
    "riskmgmt.organisation",
    "riskmgmt.notifications",
    "riskmgmt.actions",
    "riskmgmt.deviations",
    "riskmgmt.analyses",
    "riskmgmt.risks",
    "riskmgmt.supervision",
    "riskmgmt.controls",
    "riskmgmt.reports",
    "riskmgmt.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

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
                "riskmgmt.core.context_processors.navigation",
                "riskmgmt.notifications.context_processors.unread_count",
            ],
        },
    },
]

# Widgets may use project templates (templates/<app>/_*.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# ---------------------------------------------------------------- auth
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---------------------------------------------------------------- i18n
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
# The UI is Swedish for everyone: LocaleMiddleware is left out until an English catalogue
# exists, or an English browser would get a page half in each language.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------- static and media
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ---------------------------------------------------------------- e-mail
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="riskmgmt <noreply@localhost>")
# In eager mode mail goes out in the request's after-commit step: a hung SMTP server must not hang it.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=10)

# ---------------------------------------------------------------- celery
# Without a broker, tasks run eagerly in-process (embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# A broker that is down must never block a request: fail fast, the outbox retries later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# A hung broker (accepts, never answers) must fail in seconds too, not hang the request.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

CELERY_BEAT_SCHEDULE: dict = {
    # The outbox: deliver notifications whose first attempt failed (broker or mail down).
    "notifications-retry": {
        "task": "riskmgmt.notifications.tasks.notifications_retry_task",
        "schedule": 5 * 60,
    },
    # Deadline reminders, overdue notices and escalations, before the working day starts.
    "deadlines-daily": {
        "task": "riskmgmt.notifications.tasks.run_deadlines_task",
        "schedule": crontab(hour=6, minute=30),
    },
}

# ---------------------------------------------------------------- API
REST_FRAMEWORK = {
    # Token first, so a missing or bad token answers 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "riskmgmt.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "riskmgmt.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # ASCII-escaped JSON: a lone surrogate echoed in an error message cannot break rendering.
    "UNICODE_JSON": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "riskmgmt API",
    "DESCRIPTION": "Risk- och avvikelsehantering för socialtjänsten. Kontrakt: API.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several models have "kind" and "status" choices; name each set after its model.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "riskmgmt.organisation.models.Unit.Kind",
        "DeviationKindEnum": "riskmgmt.deviations.models.Deviation.Kind",
        "DeviationStatusEnum": "riskmgmt.deviations.models.Deviation.Status",
        "IvoNotificationStatusEnum": "riskmgmt.deviations.models.IvoNotification.Status",
        "ActionStatusEnum": "riskmgmt.actions.models.Action.Status",
        "EventAnalysisStatusEnum": "riskmgmt.analyses.models.EventAnalysis.Status",
        "RiskAnalysisStatusEnum": "riskmgmt.risks.models.RiskAnalysis.Status",
        "RiskStatusEnum": "riskmgmt.risks.models.Risk.Status",
        "SupervisionDecisionStatusEnum": "riskmgmt.supervision.models.SupervisionDecision.Status",
        "SupervisionDecisionKindEnum": "riskmgmt.supervision.models.SupervisionDecision.Kind",
        "RequirementStatusEnum": "riskmgmt.supervision.models.Requirement.Status",
    },
}

# ---------------------------------------------------------------- security: production overrides
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# ---------------------------------------------------------------- demo
DEMO_PASSWORD = env("DEMO_PASSWORD", default="")

# ---------------------------------------------------------------- logging
# Logs never carry free text from reports (sekretess): log ids and references only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},  # one line per task is noise; failures still log
        "kombu.connection": {"level": "ERROR"},
    },
}
