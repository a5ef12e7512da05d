"""The public page cache and conditional GET.

Anonymous GETs of public pages and feeds are answered from the cache under a key made of the
site, the URL and the content version (blog/content_version.py), which moves whenever something
the public can see changes and when a scheduled post's time comes. A change therefore reaches
readers at once, without purging anything. The version is the page's ETag and gives its
Last-Modified, so conditional GETs get a 304 without rendering. A cache hit and a 304 touch no
database, and a 304 for the ETag the client was given reads no page either. Edits to drafts
change nothing here, and reveal nothing.

With the database down, cached pages are still served. A page that would have to be rendered
again because a scheduled post went live meanwhile is served as it was before, as `no-cache`.
"""

import hashlib
import math
import re
import time
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, get_resolver
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags, parse_http_date_safe, urlencode

from blog.content_version import (
    DATABASE_UNAVAILABLE,
    bump_content_generation,
    content_generation,
    content_version,
    rendering_generation,
)
from blog.models import Post
from blog.models.stored import writing_batch
from blog.page_encoding import add_coding, best_coding, body_in, stored_bodies
from blog.ratelimit import count

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
    if not request.META.get("QUERY_STRING"):
        return True  # most requests: no query to parse
    for name, values in request.GET.lists():
        if name not in parameters or len(values) != 1:
            return False
    page = request.GET.get("page")
    return page is None or PAGE_NUMBER.fullmatch(page) is not None


def within_budget(request):
    """Whether one more page of this view may enter the cache in the current period."""
    period = settings.BYLINE_SEARCH_CACHE_SECONDS
    key = f"byline:budget:{request.resolver_match.view_name}:{int(time.time() // period)}"
    pages = count(key, period * 2)  # None: Redis did not answer, so cache nothing
    return pages is not None and pages <= settings.BYLINE_SEARCH_CACHE_PAGES


def stored_page(response):
    """What the cache keeps of a rendered page, ready to send: its status, its headers as a hit
    sends them (Cache-Control and Vary included) and its body in each coding kept
    (blog/page_encoding.py)."""
    patch_vary_headers(response, ["Accept-Encoding"])
    patch_cache_control(response, public=True, max_age=settings.BYLINE_BROWSER_CACHE_SECONDS)
    if response.has_header("Content-Encoding"):  # coded by the view: sent as it is
        bodies = {"identity": response.content}
    else:
        bodies = stored_bodies(response.content)
    headers = {
        name: value
        for name, value in response.items()
        if name.lower() not in ("content-length", "etag", "last-modified")
    }
    return response.status_code, headers, bodies


def page_from(stored, coding, validators=None):
    """The response for a stored page, its body in `coding`."""
    status, headers, bodies = stored
    headers = headers | validators if validators else dict(headers)
    if coding != "identity":
        headers["Content-Encoding"] = coding
    return HttpResponse(body_in(bodies, coding), status=status, headers=headers)


def accept_encoding(request):
    return request.headers.get("accept-encoding", "")


def coding_for(stored, request):
    """(the coding to send `request` the stored page in, whether it had to be made): gzip is
    made from the brotli body, once a page, for the first client that takes gzip but not
    brotli; the caller stores it back for every later one."""
    bodies = stored[2]
    coding = best_coding(bodies, accept_encoding(request))
    made = coding not in bodies and coding != "identity"
    if made:
        add_coding(bodies, coding)
    return coding, made


def page_digest(request, generation, passed):
    """The page's ETag value and cache key: the same in every process for one version."""
    query = urlencode(sorted(request.GET.items())) if request.META.get("QUERY_STRING") else ""
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return hashlib.blake2b(f"{generation}:{passed}:{url}".encode(), digest_size=16).hexdigest()


def page_key(digest):
    # The format's number changes with what stored_page returns, so that pages a previous
    # release left in Redis are never read as this one's.
    return f"byline:page:2:{digest}"


@lru_cache(maxsize=16)
def last_modified_date(seconds):
    return http_date(seconds)


def validators(etag, changed, now):
    """The headers that let a client revalidate the page: its ETag, and the time of the last
    change as Last-Modified (never later than now)."""
    return {"ETag": etag, "Last-Modified": last_modified_date(min(math.ceil(changed), int(now)))}


def not_modified(etag, changed, now):
    """A 304 with the headers the page's 200 would have (RFC 9110 15.4.5)."""
    return HttpResponseNotModified(
        headers=validators(etag, changed, now)
        | {
            "Cache-Control": f"public, max-age={settings.BYLINE_BROWSER_CACHE_SECONDS}",
            "Vary": "Accept-Encoding",
        }
    )


def render_or_earlier(request, view, args, kwargs, generation, passed):
    """(the page rendered now, True), or during a database outage (the page cached before the
    latest go-live times passed, False), or the database error."""
    try:
        response = render_for(generation, view, request, args, kwargs)
    except DATABASE_UNAVAILABLE:
        for earlier in range(passed - 1, -1, -1):
            stored = cache.get(page_key(page_digest(request, generation, earlier)))
            if stored is not None:
                coding, _ = coding_for(stored, request)  # gzip made here if need be
                response = page_from(stored, coding)
                del response["Cache-Control"]  # replaced by no-cache below
                return response, False
        raise
    return response, True


def render_for(generation, view, request, args, kwargs):
    """The view's response, rendered for `generation`: what the page shows of per-generation
    data (menus, related posts, the site's disclosure) is of that generation, read once for
    the request (with Redis, a round trip per per-generation lookup otherwise)."""
    with rendering_generation(generation):
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
    return response


class CachedPageMiddleware:
    """Answers a GET of a page that is in the page cache before the rest of the stack runs:
    no session, authentication or CSRF for what only needs the cache. Placed after the
    middleware that adds security headers to every response (they still do). Only the URLs
    of public_page() views, with query strings they cache, are looked up (other requests pay
    nothing); a page the cache does not hold (or holds only in a coding this client does not
    take) goes on to its view, which renders and stores it, or answers 304 without it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and not signed_in(request):
            try:
                view = get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404:
                view = None
            parameters = getattr(view and view.func, "page_parameters", None)
            if parameters is not None and cacheable_query(request, parameters):
                response = cached_response(request)
                if response is not None:
                    return response
        return self.get_response(request)


def cached_response(request):
    """The response to `request` from the page it has in the cache, conditional GETs
    answered; None when the cache holds no page for it (only a page that public_page()
    stored for that exact URL and version is there: any other query string is another key).
    A miss is noted on the request, so its view does not look again."""
    version = content_version(read_database=False)
    if version is None:  # the go-live times of this generation are not read yet: the view will
        return None
    generation, passed, changed = version
    digest = page_digest(request, generation, passed)
    etag, now = f'W/"{digest}"', time.time()
    if request.headers.get("if-none-match") == etag:
        # The ETag a 200 of this URL at this version gave out, sent back as it was: the
        # answer needs no page, so none is read (a round trip, with Redis).
        return not_modified(etag, changed, now)
    stored = cache.get(page_key(digest))
    if stored is None:
        request.page_cache_miss = (generation, passed, changed, digest)
        return None
    coding = best_coding(stored[2], accept_encoding(request))
    if coding not in stored[2] and coding != "identity":
        return None  # its view makes that coding and stores it with the page's timeout
    response = page_from(stored, coding, validators(etag, changed, now))
    response["Content-Length"] = len(response.content)
    if any(header in request.META for header in CONDITIONAL_HEADERS):
        last_modified = compared_last_modified(request, changed, now)
        response = get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )
        if response.status_code == 304:
            return not_modified(etag, changed, now)
    return response


CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def compared_last_modified(request, changed, now):
    """What If-Modified-Since is compared with. Changes within one second share its HTTP date:
    a date is a safe validator only once its second is over, so the second is rounded up. A
    date ahead of our clock is ignored (RFC 9110 13.1.3), as it proves nothing: None."""
    if_modified_since = parse_http_date_safe(request.headers.get("if-modified-since", ""))
    if if_modified_since and if_modified_since > now:
        return None
    return math.ceil(changed)


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
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if signed_in(request) or not cacheable_query(request, parameters):
            # Editors see pages as they are; other query strings are not cached.
            return render_for(content_generation(), view, request, args, kwargs)
        missed = getattr(request, "page_cache_miss", None)  # CachedPageMiddleware looked
        if missed:
            generation, passed, changed, digest = missed
        else:
            generation, passed, changed = content_version()
            digest = page_digest(request, generation, passed)
        # Weak: the same page is sent compressed or not (RFC 9110 8.8.3.3), under one validator.
        etag = f'W/"{digest}"'
        now = time.time()
        if_none_match = request.headers.get("if-none-match")
        if if_none_match == etag:
            # The usual revalidation: the ETag given out with a 200 of this URL at this
            # version, sent back as it was. It needs no page.
            return not_modified(etag, changed, now)
        conditional = any(header in request.META for header in CONDITIONAL_HEADERS)
        last_modified = compared_last_modified(request, changed, now)

        if if_none_match and parse_etags(if_none_match) not in ([], ["*"]):
            # Another list of ETags: a match needs no page either; anything else (even `*`)
            # needs to see the page exists.
            response = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if response is not None:
                if response.status_code == 304:
                    return not_modified(etag, changed, now)
                return response
        key = page_key(digest)
        timeout = settings.BYLINE_PAGE_CACHE_SECONDS
        if budgeted:
            timeout = settings.BYLINE_SEARCH_CACHE_SECONDS
        stored = None if missed else cache.get(key)
        if stored is not None:
            coding, made = coding_for(stored, request)
            if made:
                cache.set(key, stored, timeout)
            response = page_from(stored, coding, validators(etag, changed, now))
        else:
            response, current = render_or_earlier(request, view, args, kwargs, generation, passed)
            if not current:  # served during a database outage: misses a post that went live since
                patch_cache_control(response, public=True, no_cache=True)
                return response
            if (
                response.status_code == 200
                and not response.streaming
                and (not budgeted or within_budget(request))
            ):
                stored = stored_page(response)
                coding, _ = coding_for(stored, request)
                cache.set(key, stored, timeout)
                response = page_from(stored, coding, validators(etag, changed, now))
            elif response.status_code == 200:
                for name, value in validators(etag, changed, now).items():
                    response[name] = value
                patch_cache_control(
                    response, public=True, max_age=settings.BYLINE_BROWSER_CACHE_SECONDS
                )
        if conditional and response.status_code == 200:
            response = get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
        return response

    cached_view.page_parameters = tuple(parameters)  # for CachedPageMiddleware
    return cached_view


def post_is_or_was_public(post):
    return getattr(post, "_was_public", False) or post.is_published()


def remember_visibility(sender, instance, **kwargs):
    """pre_save/pre_delete of a Post: note whether the public could see it before."""
    instance._was_public = (
        instance.pk is not None and Post.objects.public().filter(pk=instance.pk).exists()
    )


def post_changed(sender, instance, **kwargs):
    """A post saved or deleted: only a public post's matter. A post saved into a HistoryBatch
    (save_with_history) is left to the batch, which moves the version once for all its posts."""
    if getattr(instance, "_defer_derived", False):
        return
    if post_is_or_was_public(instance):
        bump_content_generation()


def post_part_changed(sender, instance, **kwargs):
    """A FAQ, reference, byline or tagging changed: only a public post's matter. A batch of
    saves (HistoryBatch) moves the version once itself, after all its parts."""
    if writing_batch.get():
        return
    post = instance._state.fields_cache.get("post")  # already loaded: no query needed
    if post is not None:
        public = post_is_or_was_public(post)
    else:
        post_id = getattr(instance, "post_id", None) or getattr(instance, "object_id", None)
        public = Post.objects.public().filter(pk=post_id).exists()
    if public:
        bump_content_generation()


def topics_changed(sender, instance, **kwargs):
    if not hasattr(instance, "is_published") or instance.is_published():
        bump_content_generation()


def profile_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # logging in shows nothing new to readers
    bump_content_generation()
