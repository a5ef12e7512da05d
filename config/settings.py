"""Byline settings: one module, configured from environment variables.

The defaults give a development site on SQLite under var/ when DEBUG is asked for; with DEBUG
off (the default) the site refuses to start without a real SECRET_KEY.
"""

import os
import secrets
from pathlib import Path

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
    "django.contrib.admin",
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
    "accounts",
    "blog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "blog.security_headers.AdminContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "byline",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-us")
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

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
}

# The admin's live preview must use the same sanitising pipeline as the public page: markdownx's
# own default renders raw HTML, a stored XSS in the browser of whoever edits the post.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "blog.rendering.render_markdown"
MARKDOWNX_MEDIA_PATH = "uploads/%Y/%m/"
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"]
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (2400, 0), "quality": 85}

# Site identity, used in page titles, feeds and structured data.
BYLINE_SITE_NAME = os.environ.get("BYLINE_SITE_NAME", "The Byline Review")
BYLINE_SITE_DESCRIPTION = os.environ.get(
    "BYLINE_SITE_DESCRIPTION", "Practical writing on cooking, gardening, money, travel and tech."
)
BYLINE_POSTS_PER_PAGE = int(os.environ.get("BYLINE_POSTS_PER_PAGE", "20"))
# Cached pages are keyed by content version, so a long lifetime never serves stale content.
BYLINE_PAGE_CACHE_SECONDS = int(os.environ.get("BYLINE_PAGE_CACHE_SECONDS", "3600"))
BYLINE_BROWSER_CACHE_SECONDS = int(os.environ.get("BYLINE_BROWSER_CACHE_SECONDS", "60"))
# How long a shareable preview link works.
BYLINE_PREVIEW_SECONDS = int(os.environ.get("BYLINE_PREVIEW_SECONDS", str(7 * 24 * 3600)))

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
# Powerful browser features no page of the site uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "bluetooth",
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own logger has a console handler of its own when DEBUG is on.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
