"""Django settings for Gorodok, read from the environment (django-environ).

GORODOK_ENV selects the defaults: ``dev`` (``make run``), ``test`` (``make test``) or
``production`` (everything else). Only dev and test have fallbacks for secrets; production refuses
to start without a real SECRET_KEY or with DEBUG on.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gorodok_platform.dbtimeouts import database_options
from gorodok_platform.devdb import resolve_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent

env = environ.Env()

GORODOK_ENV = env.str("GORODOK_ENV", default="production")
if GORODOK_ENV not in ("dev", "test", "production"):
    raise ImproperlyConfigured(f"GORODOK_ENV must be dev, test or production, not {GORODOK_ENV!r}.")
IS_PRODUCTION = GORODOK_ENV == "production"

DEV_SECRET_KEY = "gorodok-dev-only-secret-key-never-use-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default="" if IS_PRODUCTION else DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=GORODOK_ENV == "dev")


# Words that only a template's placeholder contains (deploy/kubernetes/secret.example.yaml, the README).
PLACEHOLDER_MARKERS = ("change-me", "changeme", "replace-me", "example-secret", "placeholder")


def is_placeholder(value: str) -> bool:
    return any(marker in value.lower() for marker in PLACEHOLDER_MARKERS)


def check_production_settings(secret_key: str, debug: bool) -> None:
    if not secret_key or secret_key == DEV_SECRET_KEY or len(secret_key) < 32 or is_placeholder(secret_key):
        raise ImproperlyConfigured("Production needs SECRET_KEY: at least 32 random characters.")
    if debug:
        raise ImproperlyConfigured("Production refuses to run with DEBUG on.")


def check_production_services(**urls: str) -> None:
    """Production refuses a missing connection setting, or one still holding a template's placeholder."""
    for name, value in urls.items():
        if not value:
            raise ImproperlyConfigured(f"Production needs {name}.")
        if is_placeholder(value):
            raise ImproperlyConfigured(f"{name} still holds a placeholder value: set the real one.")


def check_production_storage(*, media_root: str, archive_root: str, file_storage: str = "filesystem") -> None:
    """Files must live where web, worker and job pods all see them (retention erases them from the worker):
    explicit absolute directories on a shared volume, never a default under the installed package (with
    FILE_STORAGE=s3 uploads are in the bucket; archives still need their directory)."""
    checked = (("ARCHIVE_ROOT", archive_root),) if file_storage == "s3" else (
        ("MEDIA_ROOT", media_root), ("ARCHIVE_ROOT", archive_root))
    for name, value in checked:
        if not value or not value.startswith("/"):
            raise ImproperlyConfigured(
                f"Production needs {name}: an absolute directory on a volume shared by web, worker and job pods.")


if IS_PRODUCTION:
    check_production_settings(SECRET_KEY, DEBUG)

REGION_DOMAIN = env.str("REGION_DOMAIN", default="localhost").lower()
# The region's name as people read it: under the title of the console and of every back office.
REGION_NAME = env.str("REGION_NAME", default="Республика Хакасия")
PORT = env.int("PORT", default=8000)
# How people reach us, for links in e-mails and consoles: https without a port behind the proxy in
# production, the development server's port otherwise.
PUBLIC_URL_SCHEME = env.str("PUBLIC_URL_SCHEME", default="https" if IS_PRODUCTION else "http")
PUBLIC_PORT = env.str("PUBLIC_PORT", default="" if IS_PRODUCTION else str(PORT))
ALLOWED_HOSTS = [REGION_DOMAIN, f".{REGION_DOMAIN}", *env.list("EXTRA_ALLOWED_HOSTS", default=[])]
if GORODOK_ENV == "test":
    ALLOWED_HOSTS.append(".test")

# --- Tenancy -------------------------------------------------------------------------------------

SHARED_APPS = [
    "django_tenants",
    "gorodok_platform.jobs",
    "gorodok_tenants",
    # Users, sessions and the admin live in every schema: regional staff in public, municipal
    # staff in their municipality's schema, never both.
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    # The admin theme: before django.contrib.admin, so its templates win; the sites are ours.
    "unfold.apps.BasicAppConfig",
    "django.contrib.admin",
    "gorodok_platform.accounts",
    "gorodok_platform.audit",
    "gorodok_platform.integrations",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "gorodok_services.classifier",
    "gorodok_services.reporting",
    "django.contrib.staticfiles",
    "graphene_django",
]
TENANT_APPS = [
    "gorodok_platform.jobs",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.admin",
    "gorodok_platform.accounts",
    "gorodok_platform.audit",
    "gorodok_platform.integrations",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "gorodok_services.appeals",
    "gorodok_services.assets",
    "gorodok_services.assets.housing",
    "gorodok_services.assets.fleet",
    "gorodok_services.assets.maintenance",
    "gorodok_services.assets.depreciation",
    "gorodok_services.assets.stocktaking",
    "gorodok_services.reporting.submissions",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "gorodok_tenants.Municipality"
TENANT_DOMAIN_MODEL = "gorodok_tenants.Domain"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
PUBLIC_SCHEMA_NAME = "public"
# Set search_path once per schema switch, not before every cursor (one round trip per query saved).
TENANT_LIMIT_SET_CALLS = True
ROOT_URLCONF = "gorodok_platform.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "gorodok_platform.urls_public"
TENANT_ROUTING_CACHE_SECONDS = env.int("TENANT_ROUTING_CACHE_SECONDS", default=300)
# "fast": a new municipality's schema is created from the template's DDL in one transaction;
# "migrate": django-tenants' path (every migration run).
GORODOK_PROVISIONING = env.str("GORODOK_PROVISIONING", default="fast")
GORODOK_SCHEMA_POOL_SIZE = env.int("GORODOK_SCHEMA_POOL_SIZE", default=3)  # spare schemas (schema_pool); 0: off
# Production has no default: under the installed package it is neither writable nor shared between pods.
ARCHIVE_ROOT = env.str("ARCHIVE_ROOT", default="" if IS_PRODUCTION else str(BASE_DIR / "var" / "archives"))
# Archiving a live municipality: how long its in-flight requests and jobs may take to finish (seconds).
ARCHIVE_DRAIN_SECONDS = env.int("ARCHIVE_DRAIN_SECONDS", default=30)

MIDDLEWARE = [
    "gorodok_platform.observability.middleware.HealthCheckMiddleware",
    "gorodok_platform.observability.metrics.RequestMetricsMiddleware",
    "gorodok_platform.observability.deadline.DatabaseDeadlineMiddleware",
    "gorodok_platform.observability.middleware.RequestContextMiddleware",
    "gorodok_tenants.routing.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "gorodok_platform.admin_csp.AdminScriptPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gorodok_platform.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gorodok_tenants.support.views.SupportAccessMiddleware",
    "gorodok_platform.integrations.middleware.ApiClientAuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gorodok_tenants.routing.TenantTimezoneMiddleware",
    "gorodok_tenants.routing.ActivityMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

WSGI_APPLICATION = "gorodok_platform.wsgi.application"

# --- Database, cache, broker ---------------------------------------------------------------------

DATABASES = {"default": env.db_url_config(resolve_database_url(GORODOK_ENV))}
# django-tenants' backend, skipping SET search_path when the session already has the path wanted.
DATABASES["default"]["ENGINE"] = "gorodok_platform.dbbackend"
DATABASES["default"].setdefault("CONN_MAX_AGE", 0 if GORODOK_ENV == "test" else 60)
# A kept connection the server or a pooler closed meanwhile is noticed before a request uses it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
# A database that is down or frozen must fail a request fast (a JSON 503), not hang it: seconds, 0 = none.
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
DATABASE_TIMEOUTS = {
    "request": {"statement": env.int("DATABASE_STATEMENT_TIMEOUT", default=15),
                "lock": env.int("DATABASE_LOCK_TIMEOUT", default=10),
                "idle_in_transaction": env.int("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", default=60)},
    "job": {"statement": env.int("DATABASE_JOB_STATEMENT_TIMEOUT", default=600),
            "lock": env.int("DATABASE_JOB_LOCK_TIMEOUT", default=60),
            "idle_in_transaction": env.int("DATABASE_JOB_IDLE_IN_TRANSACTION_TIMEOUT", default=300)},
    "upgrade": {"statement": env.int("DATABASE_UPGRADE_STATEMENT_TIMEOUT", default=0),
                "lock": env.int("DATABASE_UPGRADE_LOCK_TIMEOUT", default=0),
                "idle_in_transaction": env.int("DATABASE_UPGRADE_IDLE_IN_TRANSACTION_TIMEOUT", default=0)},
}
# "options": the timeouts travel in libpq's startup options; "set": set after connecting, for PgBouncer,
# which refuses startup options (session pooling only: deploy/runbooks/scale-out.md).
DATABASE_TIMEOUTS_VIA = env.str("DATABASE_TIMEOUTS_VIA", default="options")
if DATABASE_TIMEOUTS_VIA not in ("options", "set"):
    raise ImproperlyConfigured("DATABASE_TIMEOUTS_VIA must be options or set.")
DATABASES["default"]["OPTIONS"] = database_options(
    "request", connect_timeout=DATABASE_CONNECT_TIMEOUT, timeouts=DATABASE_TIMEOUTS,
    existing=DATABASES["default"].get("OPTIONS"), via=DATABASE_TIMEOUTS_VIA)
DATABASES["default"]["GORODOK_TIMEOUTS_KIND"] = "request"
# A request waiting on a frozen database longer than this has its connection cut (and answers 503); keep it
# above the statement timeout and below gunicorn's --timeout (30 s by default). 0: off.
DATABASE_REQUEST_DEADLINE = env.float("DATABASE_REQUEST_DEADLINE", default=20)
# How long clients are told to wait (Retry-After) when the database is unavailable.
DATABASE_UNAVAILABLE_RETRY_AFTER = env.int("DATABASE_UNAVAILABLE_RETRY_AFTER", default=30)
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

CACHE_URL = env.str("CACHE_URL", default="")
CACHES = {
    "default": (
        env.cache_url_config(CACHE_URL)
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gorodok"}
    )
}
# Every cache key carries the schema, so one municipality never reads another's entry.
CACHES["default"]["KEY_FUNCTION"] = "django_tenants.cache.make_key"
CACHES["default"]["REVERSE_KEY_FUNCTION"] = "django_tenants.cache.reverse_key"

BROKER_URL = env.str("BROKER_URL", default="")
if IS_PRODUCTION and not BROKER_URL:
    raise ImproperlyConfigured("Production needs BROKER_URL (amqp://... or redis://...).")
if IS_PRODUCTION:
    # Throttles, rate limits and routing invalidation must be shared by every pod: one Redis, not a
    # cache per process.
    if not CACHE_URL.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("Production needs CACHE_URL: a Redis shared by every process (redis://...).")
    check_production_services(DATABASE_URL=env.str("DATABASE_URL", default=""), BROKER_URL=BROKER_URL,
                              CACHE_URL=CACHE_URL)
JOBS_MAX_RETRIES = env.int("JOBS_MAX_RETRIES", default=5)
# On SIGTERM a worker finishes its running jobs for at most this long; keep it below the pod's
# terminationGracePeriodSeconds (60 in deploy/kubernetes/worker.yaml), or the pod is killed mid-job.
WORKER_SHUTDOWN_SECONDS = env.int("WORKER_SHUTDOWN_SECONDS", default=45)
# The worker serves its job metrics (Prometheus) on this port; 0 turns it off.
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
# Prefix of every queue name (e.g. "staging."), so several installations can share one broker.
DRAMATIQ_QUEUE_PREFIX = env.str("DRAMATIQ_QUEUE_PREFIX", default="")
# Connect and socket timeout of every broker call: a broker that is down or frozen costs a request at
# most this long once; the message is kept in the database and sent when the broker is back.
BROKER_TIMEOUT_SECONDS = env.float("BROKER_TIMEOUT_SECONDS", default=1.0)
# After a failed send, a process hands messages straight to the database for this long.
BROKER_RETRY_SECONDS = env.float("BROKER_RETRY_SECONDS", default=10.0)

# --- Accounts ------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "gorodok_platform.accounts.backends.UserWithGroupsBackend",
    # Sessions signed in before the backend above existed name this one.
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if GORODOK_ENV == "test":
    # Argon2 stays the hasher; lighter parameters keep the suite fast.
    PASSWORD_HASHERS = ["gorodok_platform.accounts.hashers.FastTestArgon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
# Regional administrators confirm sign-in with a TOTP code (or a one-time recovery code) outside dev.
REQUIRE_REGIONAL_2FA = env.bool("REQUIRE_REGIONAL_2FA", default=GORODOK_ENV != "dev")
# Outside dev a password alone never enrols an authenticator: enrolment starts from a one-time link
# another regional administrator issues in the console (or `manage.py two_factor_enrolment_link`).
REQUIRE_2FA_ENROLMENT_LINK = env.bool("REQUIRE_2FA_ENROLMENT_LINK", default=GORODOK_ENV != "dev")
OTP_TOTP_ISSUER = "Gorodok"
# Failed sign-ins allowed per account (and, times four, per address) before a pause.
LOGIN_THROTTLE_ATTEMPTS = env.int("LOGIN_THROTTLE_ATTEMPTS", default=5)
LOGIN_THROTTLE_SECONDS = env.int("LOGIN_THROTTLE_SECONDS", default=900)
SESSION_COOKIE_NAME = "gorodok_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if IS_PRODUCTION else None
# Networks of the proxies in front (the ingress pods' CIDR): only from these is X-Forwarded-For believed
# when throttles and the audit log take the client's address (gorodok_platform.client_address).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
try:
    from gorodok_platform.client_address import parse_trusted_proxies

    parse_trusted_proxies(TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from exc
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy on every response (django-csp): no inline script, no script from elsewhere,
# so markup that slipped through escaping cannot run. The admin's own scripts are files; inline
# style attributes stay allowed. GraphiQL (development only) widens it for its own page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# The admin theme (django-unfold). Its interface is Alpine.js, which evaluates its attribute
# expressions with the Function constructor: the two admin sites (and only they) add 'unsafe-eval'
# to script-src (gorodok_platform.admin_csp); inline scripts stay forbidden everywhere.
ADMIN_PATH_PREFIXES = ("/admin/",)
UNFOLD = {
    "SITE_URL": None,
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "SHOW_BACK_BUTTON": True,
    "BORDER_RADIUS": "6px",
    "COLORS": {
        "primary": {
            "50": "oklch(97.0% .014 254.604)",
            "100": "oklch(93.2% .032 255.585)",
            "200": "oklch(88.2% .059 254.128)",
            "300": "oklch(80.9% .105 251.813)",
            "400": "oklch(70.7% .165 254.624)",
            "500": "oklch(62.3% .214 259.815)",
            "600": "oklch(54.6% .245 262.881)",
            "700": "oklch(48.8% .243 264.376)",
            "800": "oklch(42.4% .199 265.638)",
            "900": "oklch(37.9% .146 265.522)",
            "950": "oklch(28.2% .091 267.935)",
        },
    },
}

# --- E-mail --------------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://" if not IS_PRODUCTION else "smtp://localhost:25"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"Gorodok <noreply@{REGION_DOMAIN}>")

# --- Internationalisation ------------------------------------------------------------------------

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
# The packages themselves are not apps (their apps' catalogues are found without help), so theirs are listed.
def _package_locale(package: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    return Path(next(iter(spec.submodule_search_locations))) / "locale" if spec else PACKAGE_DIR / "locale"


LOCALE_PATHS = [PACKAGE_DIR / "locale", _package_locale("gorodok_graphql"), _package_locale("gorodok_services")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_MUNICIPALITY_TIMEZONE = "Asia/Krasnoyarsk"

# Uploaded files live under MEDIA_ROOT/<schema>/ (or <schema>/ in the bucket): derived from the schema,
# never from a host or input. Production names the place explicitly: a directory on a volume every web,
# worker and job pod mounts (ReadWriteMany), so retention on a worker erases what a web pod stored.
MEDIA_ROOT = env.str("MEDIA_ROOT", default="" if IS_PRODUCTION else str(BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# "filesystem" (MEDIA_ROOT on a shared volume) or "s3" (an S3-compatible bucket, django-storages).
FILE_STORAGE = env.str("FILE_STORAGE", default="filesystem").lower()
if FILE_STORAGE not in ("filesystem", "s3"):
    raise ImproperlyConfigured("FILE_STORAGE is filesystem or s3.")
if IS_PRODUCTION:
    check_production_storage(media_root=MEDIA_ROOT, archive_root=ARCHIVE_ROOT, file_storage=FILE_STORAGE)
DEFAULT_FILE_STORAGE_BACKEND = (
    {"BACKEND": "gorodok_platform.storage.TenantS3Storage", "OPTIONS": {
        "bucket_name": env.str("S3_BUCKET", default=""),
        "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("S3_REGION", default="") or None,
        "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
        "location": env.str("S3_PREFIX", default="media"),
        # Private objects, never public URLs: files are served through Gorodok's own views.
        "default_acl": None, "querystring_auth": True, "file_overwrite": False,
    }} if FILE_STORAGE == "s3" else {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"})
if IS_PRODUCTION and FILE_STORAGE == "s3" and not DEFAULT_FILE_STORAGE_BACKEND["OPTIONS"]["bucket_name"]:
    raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET.")
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_BACKEND,
    # Production: hashed names (cached forever) and gzip/brotli copies, written by collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if IS_PRODUCTION
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

STATIC_URL = "/static/"
# Production serves collected files; dev and test serve straight from the apps (WhiteNoise finders).
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")) if IS_PRODUCTION else None
WHITENOISE_USE_FINDERS = not IS_PRODUCTION

# --- API -----------------------------------------------------------------------------------------

GRAPHENE = {
    "SCHEMA": "gorodok_graphql.tenant_schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    "RELAY_CONNECTION_ENFORCE_FIRST_OR_LAST": False,
    "ATOMIC_MUTATIONS": True,
}
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=10)
# Fields resolved, each once per item a page may hold: every field of a full page of appeals is ~6,600.
GRAPHQL_MAX_COMPLEXITY = env.int("GRAPHQL_MAX_COMPLEXITY", default=10000)
GRAPHQL_MAX_BODY_BYTES = env.int("GRAPHQL_MAX_BODY_BYTES", default=256 * 1024)
# Open311: a request without an object named links to the nearest register object within this distance.
OPEN311_ASSET_RADIUS_METERS = env.int("OPEN311_ASSET_RADIUS_METERS", default=100)
# Parsed and validated documents kept per process by their text (0: none); the rules that depend on
# the request (cost, introspection policy) still run on every request.
GRAPHQL_DOCUMENT_CACHE_SIZE = env.int("GRAPHQL_DOCUMENT_CACHE_SIZE", default=512)
GRAPHQL_DOCUMENT_CACHE_MAX_CHARS = env.int("GRAPHQL_DOCUMENT_CACHE_MAX_CHARS", default=64 * 1024)
# Each caller (API client, signed-in user, or anonymous address) may spend this much server time on
# GraphQL per window; past it, requests answer 429 TIME_BUDGET_EXCEEDED until the window ends.
GRAPHQL_TIME_BUDGET_SECONDS = env.float("GRAPHQL_TIME_BUDGET_SECONDS", default=30.0)
GRAPHQL_TIME_BUDGET_WINDOW_SECONDS = env.int("GRAPHQL_TIME_BUDGET_WINDOW_SECONDS", default=60)
# Anonymous introspection (GraphiQL); signed-in staff and API clients may always introspect.
GRAPHQL_PUBLIC_INTROSPECTION = env.bool("GRAPHQL_PUBLIC_INTROSPECTION", default=GORODOK_ENV == "dev")
# Where `Authorization: Bearer <token>` of an API client is accepted.
API_CLIENT_AUTH_PATHS = ["/graphql/"]
# How long a client is kept in the cache between changes (each change forgets it at once).
API_CLIENT_CACHE_SECONDS = env.int("API_CLIENT_CACHE_SECONDS", default=10)
GRAPHIQL_ENABLED = GORODOK_ENV == "dev"

# --- Webhooks ------------------------------------------------------------------------------------

WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_MAX_RETRIES = env.int("WEBHOOK_MAX_RETRIES", default=8)
WEBHOOK_MIN_BACKOFF_MS = env.int("WEBHOOK_MIN_BACKOFF_MS", default=10_000)
# A retry waits in the worker, unacknowledged: RabbitMQ closes a channel holding a message longer than its
# consumer_timeout (30 minutes by default), so the longest wait stays below it (RABBITMQ_CONSUMER_TIMEOUT_MS
# says what the broker is configured with, if it was raised).
WEBHOOK_MAX_BACKOFF_MS = env.int("WEBHOOK_MAX_BACKOFF_MS", default=1_500_000)
RABBITMQ_CONSUMER_TIMEOUT_MS = env.int("RABBITMQ_CONSUMER_TIMEOUT_MS", default=1_800_000)
if BROKER_URL.startswith("amqp") and WEBHOOK_MAX_BACKOFF_MS > RABBITMQ_CONSUMER_TIMEOUT_MS - 60_000:
    raise ImproperlyConfigured(
        "WEBHOOK_MAX_BACKOFF_MS must stay a minute below RabbitMQ's consumer_timeout (RABBITMQ_CONSUMER_TIMEOUT_MS): "
        "a longer wait makes the broker close the worker's channel.")
WEBHOOK_PAUSE_AFTER_FAILURES = env.int("WEBHOOK_PAUSE_AFTER_FAILURES", default=10)
# Private and loopback targets are refused in production (no requests into the region's network).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=not IS_PRODUCTION)
WEBHOOK_REPLAY_DAYS = env.int("WEBHOOK_REPLAY_DAYS", default=7)
# Up to this many municipalities a region-wide appeals summary is made in the request; more: by a job.
REPORTING_SUMMARY_SYNC_MUNICIPALITIES = env.int("REPORTING_SUMMARY_SYNC_MUNICIPALITIES", default=20)
WEBHOOK_DISPATCH_GRACE_SECONDS = env.int("WEBHOOK_DISPATCH_GRACE_SECONDS", default=30)
WEBHOOK_RETENTION_DAYS = env.int("WEBHOOK_RETENTION_DAYS", default=30)
# Counters of a municipality without activity are recomputed at least this often (figures that change
# with time alone, like "overdue"); one with activity, at the next five-minute tick.
COUNTERS_MAX_AGE_SECONDS = env.int("COUNTERS_MAX_AGE_SECONDS", default=3600)

# --- Observability -------------------------------------------------------------------------------

SENTRY_DSN = env.str("SENTRY_DSN", default="")
# The release is the image tag (set by the build: GORODOK_RELEASE), so an error names the code that raised it.
GORODOK_RELEASE = env.str("GORODOK_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.01)
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if IS_PRODUCTION else "console")
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING" if GORODOK_ENV == "test" else "INFO")
# /metrics answers on an IP address (Prometheus scrapes pods) and localhost; these names too (e.g. a Service).
METRICS_ALLOWED_HOSTS = env.list("METRICS_ALLOWED_HOSTS", default=[])
LOGGING_CONFIG = None  # structlog sets logging up in gorodok_platform.observability.logging

from gorodok_platform.observability.logging import configure_logging  # noqa: E402
from gorodok_platform.observability.sentry import init_sentry  # noqa: E402

configure_logging(log_format=LOG_FORMAT, level=LOG_LEVEL)
init_sentry(dsn=SENTRY_DSN, environment=GORODOK_ENV, release=GORODOK_RELEASE or None,
            traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)
