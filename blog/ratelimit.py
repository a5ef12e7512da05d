"""Rate limits on endpoints that cost work on every request: search (cache misses only), the
admin's live preview and image uploads.

Each (endpoint, person, time window) has a counter in Django's cache: per account when logged
in, else per client address (IPv6 per /64, what one client usually holds). Over the limit the
answer is 429 with Retry-After. A fixed window lets a client reach twice the limit across a
window's edge, which is fine against floods and costs one cache call per request (with Redis,
one round trip).

With Redis, a safe request (GET or HEAD: a search) does not wait for that round trip: its count
is sent as the view starts and read when the view returns or raises, before its page is
rendered (count_later in config/cache.py), and a request the count puts over the limit is
answered 429 all the same, what the view gave thrown away (a 404 too: a search page past the
last runs the search before it finds there is no such page). So that a flood still costs
little, the process remembers the client as over the limit for the rest of the window and
refuses its next requests without running the view or counting them: each process (each
thread, with threaded workers) runs the view for at most one refused request per client and
window, for the last MAX_OVER_LIMIT clients it refused. Other requests (previews, uploads)
are counted before the view runs: an upload over the limit must not be stored.

Why not django-ratelimit (4.1.0): its system checks fail on LocMemCache (our default) and warn on
Django's own RedisCache (`check --deploy` would not be clean), a Redis outage raises through it
(only socket.gaierror is caught), and it answers 403 without Retry-After; what would be left of
it here is the counter below.
"""

import ipaddress
import logging
import math
import threading
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import format_html

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "m": 60, "h": 3600}
# What the person did too often, by endpoint, for the message.
_ACTIONS = {"search": "searches", "preview": "previews", "upload": "uploads"}


def parse_rate(rate):
    """ "30/m" → (30, 60): at most 30 requests a minute. Periods: s, m, h or seconds."""
    number, _, period = rate.partition("/")
    seconds = _PERIODS[period] if period in _PERIODS else int(period)
    return int(number), seconds


def client_ip(request):
    """The client's address: the connection's, or the one the last trusted proxy saw."""
    if proxies := settings.BYLINE_PROXY_COUNT:
        # Each trusted proxy appends the address it was connected from; what the client itself
        # wrote there (anything left of those) proves nothing.
        forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",")]
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                pass  # a misconfigured proxy: count the connection's address instead
    return request.META.get("REMOTE_ADDR")


def client_address(request):
    """client_ip(), with IPv6 clients counted per /64 (one subscriber's whole network)."""
    address = client_ip(request) or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _logged_in(request):
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _client(request):
    if _logged_in(request):
        return f"user:{request.user.pk}"
    return f"address:{client_address(request)}"


class _Window:
    """The `scope` limit's current window for the client of `request`: its counter's key, and
    the answer to a count."""

    def __init__(self, request, scope):
        self.limit, period = parse_rate(settings.BYLINE_RATE_LIMITS[scope])
        self.now = time.time()
        window = int(self.now // period)
        self.ends = (window + 1) * period
        self.timeout = period + 1  # the counter outlives its window
        self.key = f"byline:ratelimit:{scope}:{_client(request)}:{window}"

    def retry_after(self, count_so_far):
        """0 when `count_so_far` is within the limit (or None: the cache did not answer), else
        the seconds until the client may try again."""
        if count_so_far is None or count_so_far <= self.limit:
            return 0
        return max(1, math.ceil(self.ends - self.now))


def retry_after(request, scope):
    """Count this request against the `scope` limit: 0 when allowed, else the seconds until the
    client may try again. A cache that fails lets the request through (fail open)."""
    window = _Window(request, scope)
    try:
        return window.retry_after(count(window.key, window.timeout))
    except Exception:  # no limit is better than no site
        logger.warning("Rate limit not checked: the cache failed", exc_info=True)
        return 0


SAFE_METHODS = frozenset({"GET", "HEAD"})
# {counter key: when its window ends} of the clients this process has found over a limit (see
# the module's docstring): at most MAX_OVER_LIMIT, the longest remembered forgotten first. A
# lock, for threaded workers.
_over_limit = {}
_over_limit_lock = threading.Lock()
MAX_OVER_LIMIT = 10_000


def _run_counted_alongside(later, window, view, request, *args, **kwargs):
    """(the view's response, the seconds to refuse it for): the count sent before the view runs
    and read after it (see the module's docstring). A view that raises (a search page past the
    last: 404) is refused all the same when the count is over the limit; else its exception
    goes on."""
    if (ends := _over_limit.get(window.key)) is not None:
        return None, max(1, math.ceil(ends - window.now))
    try:
        counted = later(window.key, window.timeout)
    except Exception:  # as retry_after()
        logger.warning("Rate limit not checked: the cache failed", exc_info=True)
        return view(request, *args, **kwargs), 0
    response = failure = None
    try:
        response = view(request, *args, **kwargs)
    except Exception as error:
        failure = error
    finally:  # whatever happened: the connection goes back once its count is read
        seconds = window.retry_after(counted())
    if seconds:
        _remember_over_limit(window)
        return None, seconds
    if failure is not None:
        raise failure
    return response, 0


def _remember_over_limit(window):
    with _over_limit_lock:
        _over_limit.pop(window.key, None)
        while len(_over_limit) >= MAX_OVER_LIMIT:
            del _over_limit[next(iter(_over_limit))]
        _over_limit[window.key] = window.ends


def count(key, timeout):
    """One more in the counter `key` of a fixed window, which ends `timeout` seconds after its
    first: the count so far, with Redis in one round trip (config/cache.py), else with add()
    and incr(). None when Redis does not answer; other cache errors are raised."""
    if counter := getattr(cache, "count", None):
        return counter(key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=timeout)
        return 1


def rate_limited(scope, *, json=False):
    """Decorate a view with the `scope` rate limit of settings.BYLINE_RATE_LIMITS.

    Over the limit it answers 429 with Retry-After: JSON ({"error": …}) when `json` is true, a
    short HTML fragment to XMLHttpRequests (the live preview shows it in place of the preview),
    else a page.
    """

    def decorator(view):
        @wraps(view)
        def limited_view(request, *args, **kwargs):
            later = getattr(cache, "count_later", None)  # Redis (config/cache.py)
            if later and request.method in SAFE_METHODS:
                window = _Window(request, scope)
                response, seconds = _run_counted_alongside(
                    later, window, view, request, *args, **kwargs
                )
                if not seconds:
                    return response
            else:
                seconds = retry_after(request, scope)
                if not seconds:
                    return view(request, *args, **kwargs)
            response = too_many_requests(request, scope, seconds, json=json)
            response["Retry-After"] = str(seconds)
            return response

        return limited_view

    return decorator


def too_many_requests(request, scope, seconds, *, json=False):
    whose = "this account" if _logged_in(request) else "your address"
    wait = f"{seconds} second{'' if seconds == 1 else 's'}"
    message = f"Too many {_ACTIONS.get(scope, 'requests')} from {whose}. Try again in {wait}."
    if json:
        return JsonResponse({"error": message}, status=429)
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return HttpResponse(format_html('<p class="rate-limited">{}</p>', message), status=429)
    context = {"message": message, "meta": {"title": "Too many requests", "noindex": True}}
    return render(request, "429.html", context, status=429)
