"""Byline settings: one module, configured from environment variables.

The defaults give a development site on SQLite under var/ when DEBUG is asked for; with DEBUG
off (the default) the site refuses to start without a real SECRET_KEY.
"""

import os
import re
import secrets
from datetime import timedelta
from email.utils import formataddr
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BYLINE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use 1/0, true/false or on/off.")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

# With DEBUG off the site refuses to start on a missing or weak key: servers (config/wsgi.py,
# asgi.py) raise, and manage.py commands fail Byline's system check. Commands that only read
# the code, such as makemigrations, still run without one.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
BYLINE_SECRET_KEY_PROBLEM = ""
if DEBUG:
    SECRET_KEY = SECRET_KEY or "django-insecure-development-only-never-use-in-production"
elif not SECRET_KEY:
    BYLINE_SECRET_KEY_PROBLEM = (
        "SECRET_KEY is not set. Set it to a long random string (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set DEBUG=1 "
        "for a development run."
    )
    SECRET_KEY = secrets.token_urlsafe(50)  # for this process only: nothing may be served
elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    BYLINE_SECRET_KEY_PROBLEM = (
        "SECRET_KEY is too weak for production: use at least 50 random characters."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts.apps.BylineAdminConfig",  # Django's admin with Byline's login (2FA, lockouts)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "blog.apps.TagsConfig",
    "markdownx",
    "accounts.apps.LoginRecordsConfig",
    "django_otp",
    "accounts.apps.TwoFactorDevicesConfig",
    "accounts",
    "blog",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "blog.security_headers.AdminContentSecurityPolicyMiddleware",
    "blog.security_headers.PublicScriptPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above the page cache's fast path, so that pages from the cache carry its header too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before the page cache, so that WordPress's /?p=ID is redirected, not served the cached
    # home page; around the views, so that a 404 can still be an old address (blog/redirects.py).
    "blog.redirects.RedirectMiddleware",
    # Cached pages answered here: none of what follows runs for them (blog/caching.py).
    "blog.caching.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "blog.caching.SignedInMarkerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Last, so that it turns a locked-out login into the lockout page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.site",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The development server and the worker write to one file: writers wait for each other
    # (IMMEDIATE, up to 20 s) rather than fail with "database is locked", and readers do not
    # wait for writers (WAL).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
# Read replicas: comma-separated URLs, used for anonymous readers' GETs (config/db_router.py).
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica{number}"] = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    ) | {"TEST": {"MIRROR": "default"}}
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
    # It asks whether the request comes from someone logged in.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "config.db_router.ReplicaReadsMiddleware",
    )
# For this long after content changes every request reads from the primary, so no page is
# rendered (and cached) from a replica that has not caught up yet.
BYLINE_REPLICA_LAG_SECONDS = float(os.environ.get("BYLINE_REPLICA_LAG_SECONDS", "10"))
# libpq waits forever for an unreachable server; fail fast so the page is a 503, not a hang.
for database in DATABASES.values():
    if database["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, with a health check that needs no round trip (its docstring).
        database["ENGINE"] = "config.postgresql"
        database.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
        )
        # Short queries only: JIT compiling a search whose estimate passed jit_above_cost took
        # 100 ms to save nothing, and parallel workers cost a search more to start than they
        # saved on a machine whose cores serve other requests.
        database["OPTIONS"].setdefault(
            "options",
            os.environ.get(
                "DATABASE_SESSION_OPTIONS", "-c jit=off -c max_parallel_workers_per_gather=0"
            ),
        )
        # Statements that ask for it (the post page's and the search's, whose planning cost
        # more than running them) are prepared, planned once per connection (psycopg keeps
        # them: config/postgresql/base.py); the ORM's statements never are (client-side
        # binding). So a pooler in front of PostgreSQL must pool sessions (README).
        database["OPTIONS"].setdefault("prepare_threshold", 5)

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, except that a Redis outage is a cache miss (config/cache.py).
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "byline",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Per process, filled only by the pages asked for. Pages are kept brotli-compressed
            # (blog/page_encoding.py): a post page of 1,500 words (18 KB) takes about 5 KB with
            # its key, so the default, two pages for each of 10,000 posts, is about 100 MB when
            # every one has been read (the bench's 24 KB pages: 7.4 KB, 20,000 took a worker
            # from 72 to 223 MiB). Keep it under GUNICORN_MAX_WORKER_MIB (gunicorn.conf.py).
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("BYLINE_LOCAL_CACHE_ENTRIES", "20000"))},
        }
    }
# The task queue (django.tasks). The database backend needs nothing beside the database; RQ
# (BYLINE_TASK_BACKEND=rq, with REDIS_URL) spreads workers over several machines. Workers:
# `manage.py worker`, which also runs the go-live scheduler (blog/golive.py).
BYLINE_TASK_BACKEND = os.environ.get("BYLINE_TASK_BACKEND", "database")
if BYLINE_TASK_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("BYLINE_TASK_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # An import may run long: an hour before RQ takes a job for stuck (its default is 3 min).
    RQ_QUEUES = {
        "default": {"URL": os.environ.get("BYLINE_RQ_URL", REDIS_URL), "DEFAULT_TIMEOUT": 3600}
    }
elif BYLINE_TASK_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    raise ImproperlyConfigured(
        f"BYLINE_TASK_BACKEND is {BYLINE_TASK_BACKEND!r}: it must be 'database' or 'rq'."
    )

# Go-live deliveries (blog/golive.py): how often each worker's scheduler looks for due events,
# how long a claimed delivery is a worker's before another may try it, how many attempts, the
# first retry's wait (doubling after), and after how many minutes one not done is reported.
BYLINE_SCHEDULER_SECONDS = float(os.environ.get("BYLINE_SCHEDULER_SECONDS", "2"))
BYLINE_DELIVERY_LEASE_SECONDS = int(os.environ.get("BYLINE_DELIVERY_LEASE_SECONDS", "300"))
BYLINE_DELIVERY_ATTEMPTS = int(os.environ.get("BYLINE_DELIVERY_ATTEMPTS", "8"))
BYLINE_DELIVERY_RETRY_SECONDS = int(os.environ.get("BYLINE_DELIVERY_RETRY_SECONDS", "30"))
BYLINE_WATCHDOG_MINUTES = int(os.environ.get("BYLINE_WATCHDOG_MINUTES", "10"))
BYLINE_DELIVERY_LOG_DAYS = int(os.environ.get("BYLINE_DELIVERY_LOG_DAYS", "90"))
# A WebSub hub that every feed names and each go-live pings (blog/websub.py).
BYLINE_WEBSUB_HUB = os.environ.get("BYLINE_WEBSUB_HUB", "")
# Cache purges on go-live (blog/purge.py): comma-separated "METHOD URL" templates with {url}
# (absolute) or {path}, e.g. "PURGE http://varnish:6081{path}".
BYLINE_PURGE_URLS = env_list("BYLINE_PURGE_URLS")
# Requests to addresses that editors or settings give (blog/outbound.py). Each step waits at
# most the timeout, the whole request three times it. Only public internet addresses are called
# unless private ones are allowed (tests, intranet sites).
BYLINE_OUTBOUND_TIMEOUT = float(os.environ.get("BYLINE_OUTBOUND_TIMEOUT", "10"))
BYLINE_OUTBOUND_ALLOW_PRIVATE = env_bool("BYLINE_OUTBOUND_ALLOW_PRIVATE", False)

# With the local-memory cache, the content version's generation is this file's modification
# time, shared by every process of the machine (blog/content_version.py).
BYLINE_GENERATION_FILE = VAR_DIR / "content-generation"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Logging in: see "Logging in" in README.md. Axes' backend comes first so that a locked-out
# attempt is refused before ModelBackend runs the password hasher (the CPU cost of a flood).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
BYLINE_LOGIN_FAILURE_LIMIT = int(os.environ.get("BYLINE_LOGIN_FAILURE_LIMIT", "5"))
BYLINE_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("BYLINE_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
BYLINE_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("BYLINE_LOGIN_LOCKOUT_MINUTES", "15"))
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For;
# 0 trusts only the connection's address (a client can write any X-Forwarded-For it likes).
# Processes that parse Markdown files during an import while the importing process saves them
# (0: parse in the importing process). One keeps pace with the saving on 2 CPUs.
BYLINE_IMPORT_WORKERS = int(
    os.environ.get("BYLINE_IMPORT_WORKERS", str(min(2, (os.cpu_count() or 1) - 1)))
)
BYLINE_PROXY_COUNT = int(os.environ.get("BYLINE_PROXY_COUNT", "0"))
AXES_HANDLER = "accounts.login_protection.LoginAttemptHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = BYLINE_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=BYLINE_LOGIN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
# An attempt refused during a pause writes nothing: otherwise each one of a flood would add a
# failure row and grow the attempt's stored request data, filling the database.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ENABLE_ADMIN = False  # accounts/admin.py registers the records for superusers only
AXES_USERNAME_CALLABLE = "accounts.login_protection.recorded_username"
AXES_CLIENT_IP_CALLABLE = "blog.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.login_protection.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "password", "otp_token", "csrfmiddlewaretoken"]
# Optional TOTP two-factor authentication for staff (django-otp); on, every staff user must
# enrol an authenticator app before the admin opens.
BYLINE_REQUIRE_2FA = env_bool("BYLINE_REQUIRE_2FA", False)
# Not even a superuser sees someone else's TOTP key or QR code (it would clone their phone).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A session ends after this long without a request; each request (at most once a minute)
# pushes the end back. See accounts/middleware.py.
BYLINE_SESSION_IDLE_SECONDS = int(os.environ.get("BYLINE_SESSION_IDLE_SECONDS", str(8 * 3600)))
SESSION_COOKIE_AGE = BYLINE_SESSION_IDLE_SECONDS

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-us")
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# One date format across the site and the admin (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # Files uploaded to the admin's import, until their job has run (blog/uploads.py): private,
    # and shared with the workers (a private bucket when they run on other machines).
    "imports": {"BACKEND": "blog.uploads.ImportFileStorage"},
}
BYLINE_IMPORT_ROOT = Path(os.environ.get("BYLINE_IMPORT_ROOT", VAR_DIR / "imports"))

# Media (library images with their renditions, avatars, editor uploads): files under
# MEDIA_ROOT, or an S3-compatible bucket (AWS, Cloudflare R2, MinIO, ...) when BYLINE_S3_BUCKET
# is set. Credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the machine's role), never from here.
BYLINE_S3_BUCKET = os.environ.get("BYLINE_S3_BUCKET", "")
if BYLINE_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BYLINE_S3_BUCKET,
            "endpoint_url": os.environ.get("BYLINE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("BYLINE_S3_REGION") or None,
            # Where readers fetch media from: a CDN or the bucket's public host.
            "custom_domain": os.environ.get("BYLINE_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("BYLINE_S3_PREFIX", ""),
            # Public-read buckets (or a CDN) serve plain URLs; private ones need signed links.
            "querystring_auth": env_bool("BYLINE_S3_SIGNED_URLS", False),
            "default_acl": os.environ.get("BYLINE_S3_ACL") or None,
            "file_overwrite": False,
            # Every name is new when the content is (random names; renditions named after
            # their file and crop): a stored file never changes, so caches may keep it.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }

# The admin's live preview must use the same sanitising pipeline as the public page: markdownx's
# own default renders raw HTML, a stored XSS in the browser of whoever edits the post.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "blog.rendering.render_markdown"

# The tag field's text round-trips every tag name, quotes and commas in it included.
TAGGIT_TAGS_FROM_STRING = "blog.tag_strings.tags_from_string"
TAGGIT_STRING_FROM_TAGS = "blog.tag_strings.string_from_tags"

# Uploaded images (blog/uploads.py): larger files, or more pixels (all frames of an animation
# together), are refused with a message naming the limit.
BYLINE_UPLOAD_MAX_BYTES = int(os.environ.get("BYLINE_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
BYLINE_UPLOAD_MAX_PIXELS = int(os.environ.get("BYLINE_UPLOAD_MAX_PIXELS", "40000000"))
# Whether the app serves MEDIA_URL itself (with headers that stop a file acting as a page);
# a production site is better off with a separate media host (README, "Uploaded images").
BYLINE_SERVE_MEDIA = env_bool("BYLINE_SERVE_MEDIA", DEBUG)

# Site identity, used in page titles, feeds and structured data.
BYLINE_SITE_NAME = os.environ.get("BYLINE_SITE_NAME", "The Byline Review")
# The site's address, for links made outside a request (webhooks, feed hub pings, email).
_FIRST_HOST = next((host.lstrip(".") for host in ALLOWED_HOSTS if host != "*"), "")
BYLINE_SITE_URL = os.environ.get(
    "BYLINE_SITE_URL",
    "http://127.0.0.1:8000" if DEBUG or not _FIRST_HOST else f"https://{_FIRST_HOST}",
).rstrip("/")
OTP_TOTP_ISSUER = BYLINE_SITE_NAME  # the name authenticator apps show beside the code
BYLINE_SITE_DESCRIPTION = os.environ.get(
    "BYLINE_SITE_DESCRIPTION", "Practical writing on cooking, gardening, money, travel and tech."
)
BYLINE_POSTS_PER_PAGE = int(os.environ.get("BYLINE_POSTS_PER_PAGE", "20"))
# Cached pages are keyed by content version, so a long lifetime never serves stale content.
BYLINE_PAGE_CACHE_SECONDS = int(os.environ.get("BYLINE_PAGE_CACHE_SECONDS", "3600"))
BYLINE_BROWSER_CACHE_SECONDS = int(os.environ.get("BYLINE_BROWSER_CACHE_SECONDS", "60"))
# Addresses that answered 404, counted for editors: at most this many distinct paths; the
# worker's hourly prune takes the table back to BYLINE_NOT_FOUND_KEEP (blog/redirects.py).
BYLINE_NOT_FOUND_MAX_PATHS = int(os.environ.get("BYLINE_NOT_FOUND_MAX_PATHS", "5000"))
BYLINE_NOT_FOUND_KEEP = int(
    os.environ.get("BYLINE_NOT_FOUND_KEEP", str(BYLINE_NOT_FOUND_MAX_PATHS * 4 // 5))
)
# Search pages are as many as the queries anyone can type: at most this many enter the cache per
# period, each for one period, so they hold at most twice that many entries at any time.
BYLINE_SEARCH_CACHE_PAGES = int(os.environ.get("BYLINE_SEARCH_CACHE_PAGES", "200"))
BYLINE_SEARCH_CACHE_SECONDS = int(os.environ.get("BYLINE_SEARCH_CACHE_SECONDS", "300"))
# Limits on rendering an author's Markdown (post bodies, FAQ answers, bios, the live preview):
# beyond them a text is refused with the reason instead of stalling a worker.
BYLINE_MARKDOWN_MAX_CHARS = int(os.environ.get("BYLINE_MARKDOWN_MAX_CHARS", "100000"))
BYLINE_MARKDOWN_MAX_NESTING = int(os.environ.get("BYLINE_MARKDOWN_MAX_NESTING", "16"))
BYLINE_MARKDOWN_CPU_SECONDS = float(os.environ.get("BYLINE_MARKDOWN_CPU_SECONDS", "0.5"))
# Requests per person (account, or client address) on endpoints that cost work each time:
# "N/s", "N/m", "N/h" or "N/<seconds>". Search counts only pages not served from the cache.
BYLINE_RATE_LIMITS = {
    "search": os.environ.get("BYLINE_RATE_LIMIT_SEARCH", "30/m"),
    "preview": os.environ.get("BYLINE_RATE_LIMIT_PREVIEW", "180/m"),
    "upload": os.environ.get("BYLINE_RATE_LIMIT_UPLOAD", "30/m"),
}
# How long a shareable preview link works.
BYLINE_PREVIEW_SECONDS = int(os.environ.get("BYLINE_PREVIEW_SECONDS", str(7 * 24 * 3600)))

# Email: notifications to editors and authors (blog/notifications.py), sent by the task queue's
# workers. Without EMAIL_HOST a development site prints them to the console; a production site
# hands them to the SMTP server on localhost, as Django does by default. Django 6.1 configures
# mail as MAILERS; the variables keep the names of its older EMAIL_* settings.
email_host = os.environ.get("EMAIL_HOST", "")
if DEBUG and not email_host:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    if env_bool("EMAIL_USE_TLS") and env_bool("EMAIL_USE_SSL"):
        raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both.")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": email_host or "localhost",
                # Unset: 465 with EMAIL_USE_SSL, 587 with EMAIL_USE_TLS, else 25.
                "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS"),  # STARTTLS
                "use_ssl": env_bool("EMAIL_USE_SSL"),  # TLS from the first byte
                # A worker waiting on a mail server that does not answer holds up the tasks
                # behind it.
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "10")),
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL",
    formataddr((BYLINE_SITE_NAME, f"noreply@{urlsplit(BYLINE_SITE_URL).hostname or 'localhost'}")),
)
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)  # Django's error reports

# Content-Security-Policy, sent by Django's middleware. The public site runs no script at all
# (its JSON-LD blocks are data, never executed), so its pages need no nonce and a cached page
# stays byte-identical. Images may come from any HTTPS host: posts embed them. Admin pages (the
# "admin" URL namespace) run Django's and markdownx's scripts, all files from this origin, and
# fetch the live preview: they get BYLINE_ADMIN_CSP instead (blog/security_headers.py). Neither
# allows inline script, inline style or eval.
CSP_REPORT_URI = os.environ.get("CSP_REPORT_URI", "")
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.NONE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "https:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "report-uri": CSP_REPORT_URI or None,
}
BYLINE_ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF],
    # A nonce only where a page asks for one: Django's CSRF failure page styles itself so.
    "style-src": [CSP.SELF, CSP.NONCE],
    "connect-src": [CSP.SELF],  # the live preview and image upload
}
# The subscribe pages run one script file of the site's own (the copy buttons), and the feeds'
# stylesheet (/feed.xsl, which browsers load as a script) makes them readable in a browser:
# those responses get this policy (blog/security_headers.py). Still no inline script or style.
BYLINE_PUBLIC_SCRIPT_CSP = {**SECURE_CSP, "script-src": [CSP.SELF]}
# Powerful browser features no page of the site uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    ]
}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading is hard to undo, so it is opt-in; not choosing it is not a mistake.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True


def hide_preview_tokens(record):
    """A preview link lets anyone holding it read an unpublished post; logs are read by more
    people, so Django's "Not Found: /preview/<token>/" lines show no token."""
    if isinstance(record.args, tuple):
        record.args = tuple(
            re.sub(r"^/preview/[^/]+", "/preview/[token]", arg) if isinstance(arg, str) else arg
            for arg in record.args
        )
    return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "hide_preview_tokens": {
            "()": "django.utils.log.CallbackFilter",
            "callback": hide_preview_tokens,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["hide_preview_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own logger has a console handler of its own when DEBUG is on.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # Failures and lockouts are warnings; axes' INFO lines narrate every attempt.
        "axes": {"level": "WARNING"},
    },
}
