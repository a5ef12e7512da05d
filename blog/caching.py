"""The public page cache and conditional GET.

Anonymous GETs of public pages and feeds are answered from the cache under a key made of the
site, the URL and the content version (blog/content_version.py), which moves whenever something
the public can see changes and when a scheduled post's time comes. A change therefore reaches
readers at once, without purging anything. The version is the page's ETag and gives its
Last-Modified, so conditional GETs get a 304 without rendering. A cache hit and a 304 touch no
database. Edits to drafts change nothing here, and reveal nothing.

With the database down, cached pages are still served. A page that would have to be rendered
again because a scheduled post went live meanwhile is served as it was before, as `no-cache`.
"""

import gzip
import hashlib
import math
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe, urlencode

from blog.content_version import DATABASE_UNAVAILABLE, bump_content_generation, content_version
from blog.models import Post

# Pages are cached only for page numbers in the form the site links to (no `01`, `+1`, `last`).
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
SIGNED_IN_COOKIE = "byline_signed_in"
SIGNED_IN_SALT = "blog.caching.signed-in"


def signed_in(request):
    """Whether the reader logged in here: a signed marker, so a made-up session cookie cannot
    bypass the cache, and checking it needs no database."""
    marker = request.get_signed_cookie(
        SIGNED_IN_COOKIE, default=None, salt=SIGNED_IN_SALT, max_age=settings.SESSION_COOKIE_AGE
    )
    return marker is not None


def note_login(sender, request, user, **kwargs):
    """user_logged_in: SignedInMarkerMiddleware sets the marker on this response."""
    request.byline_signed_in = True


def note_logout(sender, request, user, **kwargs):
    request.byline_signed_in = False


class SignedInMarkerMiddleware:
    """Sets the signed-in marker on the response to a login and clears it on a logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        signed_in_now = getattr(request, "byline_signed_in", None)
        if signed_in_now:
            response.set_signed_cookie(
                SIGNED_IN_COOKIE,
                "1",
                salt=SIGNED_IN_SALT,
                max_age=None if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
                else settings.SESSION_COOKIE_AGE,
                domain=settings.SESSION_COOKIE_DOMAIN,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )  # fmt: skip
        elif signed_in_now is False:
            response.delete_cookie(
                SIGNED_IN_COOKIE,
                domain=settings.SESSION_COOKIE_DOMAIN,
                samesite=settings.SESSION_COOKIE_SAMESITE,
            )
        return response


def cacheable_query(request, parameters):
    """Only query strings the site links to are cached: known parameters, each once, and
    `page` as a plain number (a page past the last one is a 404, and 404s are not cached)."""
    for name, values in request.GET.lists():
        if name not in parameters or len(values) != 1:
            return False
    page = request.GET.get("page")
    return page is None or PAGE_NUMBER.fullmatch(page) is not None


def within_budget(request):
    """Whether one more page of this view may enter the cache in the current period."""
    period = settings.BYLINE_SEARCH_CACHE_SECONDS
    key = f"byline:budget:{request.resolver_match.view_name}:{int(time.time() // period)}"
    cache.add(key, 0, period * 2)
    try:
        return cache.incr(key) <= settings.BYLINE_SEARCH_CACHE_PAGES
    except ValueError:  # the cache is down, or evicted the counter: cache nothing
        return False


def accepts_gzip(request):
    for coding in request.headers.get("Accept-Encoding", "").split(","):
        name, _, weight = coding.partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return weight.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def stored_page(response):
    """What the cache keeps of a rendered page: its status, headers and body, the body gzipped
    once when that makes it smaller."""
    body, encoding = response.content, None
    if not response.has_header("Content-Encoding"):
        compressed = gzip.compress(body, compresslevel=6, mtime=0)
        if len(compressed) < len(body):
            body, encoding = compressed, "gzip"
    headers = [(name, value) for name, value in response.items() if name != "Content-Length"]
    return response.status_code, headers, encoding, body


def page_from(stored, request):
    """The response for a stored page: its compressed body as it is to clients that take gzip
    (nearly all), uncompressed for the others."""
    status, headers, encoding, body = stored
    response = HttpResponse(status=status)
    for name, value in headers:
        response[name] = value
    if encoding is not None:
        if accepts_gzip(request):
            response["Content-Encoding"] = encoding
        else:
            body = gzip.decompress(body)
    patch_vary_headers(response, ["Accept-Encoding"])
    response.content = body
    return response


def page_digest(request, generation, passed):
    """The page's ETag value and cache key: the same in every process for one version."""
    query = urlencode(sorted(request.GET.items()))
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return hashlib.blake2b(f"{generation}:{passed}:{url}".encode(), digest_size=16).hexdigest()


def render_or_earlier(request, view, args, kwargs, generation, passed):
    """(the page rendered now, True), or during a database outage (the page cached before the
    latest go-live times passed, False), or the database error."""
    try:
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
    except DATABASE_UNAVAILABLE:
        for earlier in range(passed - 1, -1, -1):
            stored = cache.get(f"byline:page:{page_digest(request, generation, earlier)}")
            if stored is not None:
                return page_from(stored, request), False
        raise
    return response, True


def public_page(view, parameters=(), budgeted=False):
    """Serve `view` from the page cache to anonymous readers, with ETag and Last-Modified.

    `parameters` are the query parameters that select what the page shows; with any other, the
    page is served but not cached (so `?utm_source=…` variations cannot fill the cache).
    A `budgeted` view (search: as many pages as queries people can type) has at most
    BYLINE_SEARCH_CACHE_PAGES pages enter the cache per BYLINE_SEARCH_CACHE_SECONDS, each
    kept for that long.
    """

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if (
            request.method not in ("GET", "HEAD")
            or signed_in(request)  # editors see pages as they are
            or not cacheable_query(request, parameters)
        ):
            return view(request, *args, **kwargs)
        generation, passed, changed = content_version()
        digest = page_digest(request, generation, passed)
        # Weak: the same page is sent gzipped or not (RFC 9110 8.8.3.3), under one validator.
        etag = f'W/"{digest}"'
        # Changes within one second share its HTTP date: a date is a safe validator only once
        # its second is over, so compare If-Modified-Since with the second rounded up. A date
        # ahead of our clock is ignored (RFC 9110 13.1.3), as it proves nothing.
        now = time.time()
        last_modified = math.ceil(changed)
        if_modified_since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if if_modified_since and if_modified_since > now:
            last_modified = None

        response = None
        current = True
        if parse_etags(request.headers.get("If-None-Match", "")) not in ([], ["*"]):
            # Our ETags are only given out with a 200 of this URL at this version, so a
            # match needs no page; anything else (even `*`) needs to see the page exists.
            response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            stored = cache.get(f"byline:page:{digest}")
            if stored is not None:
                response = page_from(stored, request)
            else:
                response, current = render_or_earlier(
                    request, view, args, kwargs, generation, passed
                )
                if (
                    current
                    and response.status_code == 200
                    and not response.streaming
                    and (not budgeted or within_budget(request))
                ):
                    timeout = (
                        settings.BYLINE_PAGE_CACHE_SECONDS
                        if not budgeted
                        else settings.BYLINE_SEARCH_CACHE_SECONDS
                    )
                    stored = stored_page(response)
                    cache.set(f"byline:page:{digest}", stored, timeout)
                    response = page_from(stored, request)
            if current:
                response = get_conditional_response(
                    request, etag=etag, last_modified=last_modified, response=response
                )
        if current and response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(min(math.ceil(changed), int(now)))
            patch_cache_control(
                response, public=True, max_age=settings.BYLINE_BROWSER_CACHE_SECONDS
            )
        elif not current:  # served during a database outage: misses a post that went live since
            patch_cache_control(response, public=True, no_cache=True)
        return response

    return cached_view


def post_is_or_was_public(post):
    return getattr(post, "_was_public", False) or post.is_published()


def remember_visibility(sender, instance, **kwargs):
    """pre_save/pre_delete of a Post: note whether the public could see it before."""
    instance._was_public = (
        instance.pk is not None and Post.objects.published().filter(pk=instance.pk).exists()
    )


def post_changed(sender, instance, **kwargs):
    if post_is_or_was_public(instance):
        bump_content_generation()


def post_part_changed(sender, instance, **kwargs):
    """A FAQ, reference, byline or tagging changed: only a public post's matter."""
    post = instance._state.fields_cache.get("post")  # already loaded: no query needed
    if post is not None:
        public = post_is_or_was_public(post)
    else:
        post_id = getattr(instance, "post_id", None) or getattr(instance, "object_id", None)
        public = Post.objects.published().filter(pk=post_id).exists()
    if public:
        bump_content_generation()


def topics_changed(sender, instance, **kwargs):
    if not hasattr(instance, "is_published") or instance.is_published():
        bump_content_generation()


def profile_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # logging in shows nothing new to readers
    bump_content_generation()
