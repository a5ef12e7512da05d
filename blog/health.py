"""How the site reports on itself: per-dependency health for load balancers (/healthz), and
the error page that tells a database outage (503, come back soon) from a bug (500)."""

import secrets
import sys

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.middleware.csp import get_nonce
from django.template import loader
from django.utils.csp import CSP
from django.views.decorators.cache import never_cache

from blog import golive
from blog.content_version import DATABASE_UNAVAILABLE

# How long readers are asked to wait when the database is down.
RETRY_AFTER_SECONDS = 30


def server_error(request):
    """handler500. A database that does not answer is an outage, not a bug: say so with a 503
    and when to come back (pages already in the cache are still served, see blog/caching.py)."""
    outage = isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE)
    nonce = get_nonce(request)
    page = loader.render_to_string(
        "503.html" if outage else "500.html",
        {"site_name": settings.BYLINE_SITE_NAME, "csp_nonce": nonce},
    )
    response = HttpResponse(page, status=503 if outage else 500)
    # These pages carry their own styles (static files may be what failed): only those run.
    response._csp_config = {**settings.SECURE_CSP, "style-src": [CSP.NONCE]}
    if outage:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_status():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache_status():
    token = secrets.token_hex(8)
    cache.set("byline:healthz", token, 10)
    if cache.get("byline:healthz") != token:
        raise ConnectionError("no answer")


def _static_files_status():
    # With the manifest storage, a page whose stylesheet has no entry is a 500: this asks for
    # the same entry every page needs.
    staticfiles_storage.url("css/site.css")


@never_cache
def healthz(request):
    """Each dependency on its own. 200 while this server can serve every page (with the cache
    down it is slower: "degraded"); 503 when it cannot (database down, static files missing),
    though pages already in the cache are still served then."""
    checks = {}
    for name, check in [
        ("database", _database_status),
        ("cache", _cache_status),
        ("static_files", _static_files_status),
    ]:
        try:
            check()
            checks[name] = "ok"
        except Exception as error:  # any failure means not ready
            checks[name] = f"error: {type(error).__name__}"  # no details: this page is public
    if checks["database"] == "ok":
        # Go-live deliveries not done in time (the watchdog, blog/golive.py): no worker, a
        # receiver that keeps failing.
        # Counted at most every 30 s: this page is public, and a flood of it must not be a
        # flood of counts over the delivery log.
        try:
            late = golive.late_deliveries_cached()  # a cache outage is a miss
            checks["go_live"] = f"late: {late}" if late else "ok"
        except Exception as error:  # its tables missing (not migrated), say
            checks["go_live"] = f"error: {type(error).__name__}"
    if all(value == "ok" for value in checks.values()):
        status = "ok"
    elif checks["database"] == "ok" and checks["static_files"] == "ok":
        status = "degraded"
    else:
        status = "unavailable"
    return JsonResponse(
        {"status": status, **checks}, status=503 if status == "unavailable" else 200
    )
