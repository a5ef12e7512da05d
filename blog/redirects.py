"""Old addresses answered with redirects, and addresses that were not found, counted.

A request costs nothing here unless it would be a 404 or is WordPress's `?p=ID`/`?page_id=ID`
(which the home page would answer, from the page cache even): only those look for a redirect,
and only a 404 that finds none is counted. The counter keeps paths only (no address, browser
or referrer) in a table of at most BYLINE_NOT_FOUND_MAX_PATHS rows, pruned hourly by the worker.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, connections, router, transaction
from django.db.models import F
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from django.utils import timezone
from django.utils.cache import patch_cache_control

from blog.models.redirects import (
    PATH_MAX_LENGTH,
    NotFoundPath,
    Redirect,
    admin_prefix,
    normalised_path,
    wordpress_query,
)

logger = logging.getLogger(__name__)
# Addresses that carry a secret (a preview link's token, an editor's calendar feed): never
# kept, even once they no longer work, and no old address of a site.
SECRET = ("/preview/", "/calendar/")


class RedirectMiddleware:
    """Placed before the page cache (CachedPageMiddleware), so that `/?p=12` is redirected
    rather than served the cached home page, and around everything else, so that it sees
    the 404s of every view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        query = request.META.get("QUERY_STRING", "")
        if query and wordpress_query(query):  # no query unless it is `?p=` or `?page_id=`
            path = normalised_path(request.path, query, decoded=True)
            if (response := redirect_for(request, path)) is not None:
                return response
        response = self.get_response(request)
        if request.path.startswith((admin_prefix(), *SECRET)):
            return response
        if adds_a_slash(request, response):
            # `/old` would go to `/old/` (APPEND_SLASH: every `/<slug>/` may be a page) and be
            # redirected from there: one hop instead of two when `/old` has a redirect.
            path = normalised_path(request.path, decoded=True)
            return redirect_for(request, path) or response
        if response.status_code != 404:
            return response
        path = normalised_path(request.path, decoded=True)
        if (redirected := redirect_for(request, path)) is not None:
            return redirected
        count_not_found(path)
        return response


def adds_a_slash(request, response):
    """Whether `response` is CommonMiddleware's APPEND_SLASH redirect of `request`."""
    return (
        response.status_code == 301
        and not request.path.endswith("/")
        and response.get("Location", "").split("?")[0] == f"{request.path}/"
    )


def redirect_for(request, path):
    """The redirect answering `path` (counted), or None. A database that fails to find it
    leaves the request to what would answer it otherwise; one that fails to count the hit
    loses the hit, not the redirect."""
    try:
        redirect = Redirect.objects.for_path(path)
        location = redirect and redirect.location()
    except DatabaseError:
        logger.warning("Redirect of %s not looked up", path, exc_info=True)
        return None
    if not location or normalised_path(location) == path:
        return None  # no redirect, a post not public, or one that would answer itself
    if request.method == "GET":  # a HEAD (link checkers, monitors) is not a reader
        try:
            _run(lambda: Redirect.objects.count_hit(redirect))
        except DatabaseError:
            logger.warning("Hit on the redirect of %s not counted", path, exc_info=True)
    response_class = HttpResponsePermanentRedirect if redirect.permanent else HttpResponseRedirect
    response = response_class(location)
    # Kept as long as pages are: a redirect an editor corrects reaches readers as soon.
    patch_cache_control(response, public=True, max_age=settings.BYLINE_BROWSER_CACHE_SECONDS)
    return response


def _run(statement):
    """Run a counting statement in a savepoint when a transaction is open (a failure must not
    end it), else on its own."""
    connection = connections[router.db_for_write(NotFoundPath)]
    if connection.in_atomic_block:
        with transaction.atomic(using=connection.alias):
            return statement()
    return statement()


def _insert_sql(connection):
    """Insert a new path while the table holds fewer than the cap (the SELECT gives no row
    otherwise); a path another request inserted meanwhile is counted instead."""
    table = connection.ops.quote_name(NotFoundPath._meta.db_table)
    return (
        f"INSERT INTO {table} (path, hits, first_seen, last_seen) "
        f"SELECT %s, 1, %s, %s WHERE (SELECT COUNT(*) FROM {table}) < %s "
        f"ON CONFLICT (path) DO UPDATE SET hits = {table}.hits + 1, last_seen = excluded.last_seen"
    )


def count_not_found(path):
    """One more 404 for `path` (cut to PATH_MAX_LENGTH): an UPDATE of its row, or when there
    is none, an INSERT while the table is under its cap. Lost, with a warning, if the
    database fails: the reader still gets the 404 page."""
    path = path[:PATH_MAX_LENGTH]
    now = timezone.now()

    def count():
        counted = NotFoundPath.objects.filter(path=path).update(hits=F("hits") + 1, last_seen=now)
        if counted:
            return
        connection = connections[router.db_for_write(NotFoundPath)]
        at = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            cursor.execute(
                _insert_sql(connection), [path, at, at, settings.BYLINE_NOT_FOUND_MAX_PATHS]
            )

    try:
        _run(count)
    except DatabaseError:
        logger.warning("404 of %s not counted", path, exc_info=True)


def prune_not_found():
    """Keep the 404 table under its cap with room for new paths: drop the rows beyond
    BYLINE_NOT_FOUND_KEEP, the least-hit first and of those the longest unseen. Returns how
    many went."""
    keep = settings.BYLINE_NOT_FOUND_KEEP
    if NotFoundPath.objects.count() <= keep:
        return 0
    kept = NotFoundPath.objects.order_by("-hits", "-last_seen", "-pk").values("pk")[:keep]
    deleted, _ = NotFoundPath.objects.exclude(pk__in=kept).delete()
    return deleted
