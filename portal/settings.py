"""Settings for the Desa Sadar Jaminan Sosial portal, read from the environment (django-environ).

Standard names: DEBUG, SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS; an optional .env file next to
manage.py. Without DATABASE_URL the portal runs on SQLite in the project folder.
"""

import datetime
import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    AGREEMENT_DOCUMENT_MAX_MB=(int, 10),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable (or put it in .env), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key"
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "portal",
    "villages",
    "enrollment",
    "campaigns",
    "opensid",
    "tools",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    # Three apps under Indonesian names (portal/third_party.py).
    "portal.third_party.AxesConfig",
    "django_otp",
    "portal.third_party.TOTPConfig",
    "portal.third_party.TasksConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SessionIdleMiddleware",
    "portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.query_guard.NulQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.audit.AuditRequestMiddleware",
    "portal.no_store.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.PasswordChangeRequiredMiddleware",
    "portal.middleware.TwoFactorRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Dashboards and exports may read from a replica (portal.db_routers.use_replica); in tests the
# "replica" alias is the test database itself.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["portal.db_routers.ReplicaRouter"]
for database in DATABASES.values():
    if database["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles a query it expects to be costly: 15-130 ms spent on page
        # queries that run in 1 ms from an index (docs/performance.md).
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "portal.backends.UserBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
# django-filter: a filter's empty choice shows everything.
FILTERS_EMPTY_CHOICE_LABEL = _("All")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded documents are served only through views that check who may see them.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"

AGREEMENT_DOCUMENT_MAX_BYTES = env("AGREEMENT_DOCUMENT_MAX_MB") * 1024 * 1024
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_MB", default=10) * 1024 * 1024
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
# Rows a user (not an admin) may upload within 24 hours: each row's NIK is looked up portal-wide.
IMPORT_DAILY_ROWS = env.int("IMPORT_DAILY_ROWS", default=2 * IMPORT_MAX_ROWS)
# What an uploaded workbook may unpack to (sheets.guard): a 20,000-row list unpacks
# to about 17 MB at 14:1; a decompression bomb reaches 1000:1.
IMPORT_MAX_UNPACKED_MB = env.int("IMPORT_MAX_UNPACKED_MB", default=80)
IMPORT_MAX_SHARED_STRINGS_MB = 32
IMPORT_MAX_PART_RATIO = 100
# A branch's monthly file of contributions paid can be far longer than a village's list.
PAYMENT_IMPORT_MAX_ROWS = env.int("PAYMENT_IMPORT_MAX_ROWS", default=200_000)
# The largest request body: the largest upload plus room for the form around it. Form fields
# without files stay within Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, a 400 page).
REQUEST_MAX_BYTES = max(IMPORT_MAX_BYTES, AGREEMENT_DOCUMENT_MAX_BYTES) + 1024 * 1024
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# With TASK_WORKER on, a `manage.py db_worker` process (started by `make run` and `make serve`)
# checks uploaded spreadsheets; without it (Django's immediate backend), the import page checks
# a large file a step per page load.
if env.bool("TASK_WORKER", default=False):
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The portal's address, for links in e-mails sent by scheduled jobs (no request to ask).
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")

DJANGO_TABLES2_TEMPLATE = "includes/table.html"

# Village offices share computers: a session ends after 30 idle minutes and with the browser
# (SessionIdleMiddleware renews it while the user is active).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Several app servers share one cache and the sessions through Redis. Sessions are read from
# Redis and written through to the database (at most once a minute per user, see
# SessionIdleMiddleware), so a Redis restart or eviction logs nobody out, and an outage only
# slows pages down (portal.sessions). Without Redis: Django's defaults (a cache per process,
# sessions in the database).
if REDIS_URL := env("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A lost Redis costs a request a second, never a hang.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "portal.sessions"
# The busiest pages' content is cached until something it shows changes (portal.page_cache);
# this bounds how long a write made behind the portal's back can go unseen. 0 turns it off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src-elem": [CSP.SELF],
    # Progress bars and Django admin set widths with style attributes; scripts stay strict.
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Login throttling: five failed attempts lock the username out, from that address, for 15 minutes.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Lock a username from one address only: behind the load balancer the address is the client's
# (portal.client_ip, from X-Forwarded-For sent by TRUSTED_PROXIES), so a stranger locks out
# themselves, not the account's owner, and the audit log shows real addresses.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"
# Wrong passwords for one account from all addresses together (portal.account_lock): past this
# the account opens only to its password plus its second factor, or after a password reset.
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network (such as 10.0.0.0/8)."
        ) from None
AXES_LOCKOUT_CALLABLE = "portal.account_views.locked_out"
AXES_RESET_ON_SUCCESS = True
OTP_TOTP_ISSUER = "Desa Sadar"
# Admins may remove a lost device, never read its secret (this also closes the admin's config
# and QR views, which answered 500 for an unknown device).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# E-mail: the console in development, SMTP from the environment in production.
if env.bool("EMAIL_TO_CONSOLE", default=DEBUG):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST", default="localhost"),
                "port": env.int("EMAIL_PORT", default=25),
                "username": env("EMAIL_HOST_USER", default=""),
                "password": env("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=False),
            },
        }
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Desa Sadar <noreply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
