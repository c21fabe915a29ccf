"""Settings for the research data repository.

Every deployment setting comes from the environment. With nothing set, the project runs embedded:
SQLite, the database search backend, Celery tasks executed eagerly and e-mail printed to the console.
"""

import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("RDM_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        sys.exit("SECRET_KEY must be set when DEBUG is off (export SECRET_KEY=... or DEBUG=1).")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
RDM_SITE_URL = env.str("RDM_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
RDM_SITE_NAME = env.str("RDM_SITE_NAME", default="Research Data Repository")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "allauth",
    "allauth.account",
    "django_celery_beat",
    "django_elasticsearch_dsl",
    "rdm",
    "accounts",
    "vocabularies",
    "rdm.records",
    "rdm.search",
    "communities",
    "requests_app",
    "oaipmh",
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
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "rdm.urls"
WSGI_APPLICATION = "rdm.wsgi.application"
ASGI_APPLICATION = "rdm.asgi.application"
SITE_ID = 1

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
                "rdm.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the embedded site read while a request writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6.0 behaviour: URLs typed without a scheme get https

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- Accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous sees public objects only

# Mandatory e-mail verification, as InvenioRDM; operators may relax it with one setting.
RDM_REQUIRE_EMAIL_VERIFICATION = env.bool("RDM_REQUIRE_EMAIL_VERIFICATION", default=True)

# --- allauth (owned by accounts) ----------------------------------------------------------------
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*", "username"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_USER_MODEL_EMAIL_FIELD = "email"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory" if RDM_REQUIRE_EMAIL_VERIFICATION else "optional"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = True  # the link in the e-mail verifies at once
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{RDM_SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if RDM_SITE_URL.startswith("https") else "http"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
RDM_TOKEN_LAST_USED_PRECISION = 60  # seconds; limits writes when a token is used in bursts

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {
        "BACKEND": env.str("RDM_FILES_STORAGE", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("RDM_FILES_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads stream to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
RDM_MAX_FILE_SIZE = env.int("RDM_MAX_FILE_SIZE", default=50 * 1024**3)

# --- E-mail -------------------------------------------------------------------------------------
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="repository@localhost")

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker every task runs in-process, right where it is sent.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"  # never reached while eager
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# --- Periodic tasks (Celery beat) ---------------------------------------------------------------
# Registered in code: django-celery-beat's DatabaseScheduler copies this schedule into its tables
# when `celery -A rdm beat` starts, so nothing is set up by hand in the admin.
CELERY_BEAT_SCHEDULE = {
    "lift-expired-embargoes": {
        "task": "rdm.records.tasks.lift_embargoes",
        "schedule": 60 * 60,  # hourly: an embargo ends on a date, so at most an hour late
    },
}

# --- Search -------------------------------------------------------------------------------------
RDM_SEARCH_BACKEND = env.str("RDM_SEARCH_BACKEND", default="database")
RDM_SEARCH_URL = env.str("RDM_SEARCH_URL", default="http://127.0.0.1:9200")
RDM_SEARCH_INDEX_PREFIX = env.str("RDM_SEARCH_INDEX_PREFIX", default="rdm-")
ELASTICSEARCH_DSL = {"default": {"hosts": RDM_SEARCH_URL}}
ELASTICSEARCH_DSL_AUTOSYNC = False  # the indexer queue decides when documents are written
ELASTICSEARCH_DSL_AUTO_REFRESH = False
RDM_SEARCH_BACKENDS = {
    "database": {"BACKEND": "rdm.search.backends.database"},
    "elasticsearch": {
        "BACKEND": "rdm.search.backends.elasticsearch",
        "URL": RDM_SEARCH_URL,
        "INDEX_PREFIX": RDM_SEARCH_INDEX_PREFIX,
    },
}
RDM_SEARCH_MAX_QUERY_LENGTH = env.int("RDM_SEARCH_MAX_QUERY_LENGTH", default=1000)  # characters
RDM_SEARCH_MAX_QUERY_DEPTH = env.int("RDM_SEARCH_MAX_QUERY_DEPTH", default=20)  # nested groups/operators
RDM_SEARCH_MAX_QUERY_TERMS = env.int("RDM_SEARCH_MAX_QUERY_TERMS", default=64)
RDM_SEARCH_MAX_FUZZY_LENGTH = env.int("RDM_SEARCH_MAX_FUZZY_LENGTH", default=30)  # characters of a word~N
# Database backend: seconds one search's statements may run (0: no limit); beyond, a 400 names the problem.
RDM_SEARCH_TIMEOUT = env.float("RDM_SEARCH_TIMEOUT", default=10.0)
RDM_SEARCH_DEFAULT_PAGE_SIZE = 10
RDM_SEARCH_MAX_PAGE_SIZE = env.int("RDM_SEARCH_MAX_PAGE_SIZE", default=100)
RDM_SEARCH_MAX_RESULT_WINDOW = env.int("RDM_SEARCH_MAX_RESULT_WINDOW", default=10_000)  # page * size
# Database backend: totals and facet counts are cached (CACHES["default"]) under a token that changes
# with every write to the index, like Elasticsearch's shard request cache. 0 switches it off.
RDM_SEARCH_CACHE_SECONDS = env.int("RDM_SEARCH_CACHE_SECONDS", default=300)
RDM_SEARCH_CACHE_WINDOW = 100  # hits whose order is cached (pages within it rank the matches once)
CELERY_BEAT_SCHEDULE["drain-index-queue"] = {
    "task": "rdm.search.tasks.drain_index_queue",
    "schedule": 5.0,  # seconds; each enqueue also starts a drain on commit, this catches the rest
}
# Indexing tasks may get their own queue (and workers): `celery worker -Q $RDM_SEARCH_TASK_QUEUE`.
RDM_SEARCH_TASK_QUEUE = env.str("RDM_SEARCH_TASK_QUEUE", default="celery")
vars().setdefault("CELERY_TASK_ROUTES", {})["rdm.search.tasks.*"] = {"queue": RDM_SEARCH_TASK_QUEUE}

# --- Communities (owned by communities) ---------------------------------------------------------
# Roles in order of privilege; capabilities become guardian object permissions (communities/permissions.py).
# After changing them on a running site, run `manage.py sync_community_permissions`.
COMMUNITIES_ROLES = [
    {"name": "reader", "title": "Reader", "description": "Can view restricted records.",
     "can_view": True},
    {"name": "curator", "title": "Curator", "description": "Can curate records and view restricted records.",
     "can_curate": True, "can_view": True},
    {"name": "manager", "title": "Manager",
     "description": "Can manage members, curate records and view restricted records.",
     "can_manage_roles": ["manager", "curator", "reader"], "can_manage": True, "can_curate": True,
     "can_view": True},
    {"name": "owner", "title": "Owner", "description": "Full administrative access to the entire community.",
     "can_manage_roles": ["owner", "manager", "curator", "reader"], "is_owner": True, "can_manage": True,
     "can_curate": True, "can_view": True},
]
COMMUNITIES_GROUPS_ENABLED = env.bool("COMMUNITIES_GROUPS_ENABLED", default=True)
COMMUNITIES_ALLOW_CREATE = env.str("COMMUNITIES_ALLOW_CREATE", default="verified")  # "verified" | "staff"
COMMUNITIES_LOGO_MAX_FILE_SIZE = 10**6  # bytes, as InvenioRDM
COMMUNITIES_LOGO_MAX_PIXELS = 2000  # largest accepted width or height
COMMUNITIES_LOGO_MAX_STORED = 500  # stored logos are scaled down to fit this box

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rdm.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rdm.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Research Data Repository API",
    "DESCRIPTION": "Records, files, versions, communities and requests, shaped like InvenioRDM's REST API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar package: the site works offline, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", False) else None
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
