"""The public page cache and conditional GET.

Anonymous GETs of public pages and feeds are answered from the cache under a key made of the
URL, the time content last changed (one query: `PostQuerySet.last_changed()`, which also moves
when a scheduled post goes live) and a generation number that every content save or delete
bumps. A change therefore reaches readers at once, without purging anything; the same key is
the page's ETag, so conditional GETs get a 304 without rendering.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

GENERATION_KEY = "byline:content-generation"


def content_generation():
    return cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None)


def bump_content_generation(**kwargs):
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def public_page(view):
    """Serve `view` from the page cache to anonymous readers, with ETag and Last-Modified."""
    from blog.models import Post

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or "sessionid" in request.COOKIES:
            # Logged-in editors always see the page as it is now.
            return view(request, *args, **kwargs)
        last_changed = Post.objects.last_changed()
        version = f"{content_generation()}:{last_changed and last_changed.timestamp()}"
        digest = hashlib.blake2b(
            f"{version}:{request.get_full_path()}".encode(), digest_size=16
        ).hexdigest()
        etag = f'"{digest}"'
        last_modified = int(last_changed.timestamp()) if last_changed else None

        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            key = f"byline:page:{digest}"
            response = cache.get(key)
            if response is None:
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
                if response.status_code == 200 and not response.streaming:
                    cache.set(key, response, settings.BYLINE_PAGE_CACHE_SECONDS)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            if last_modified:
                response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(
                response, public=True, max_age=settings.BYLINE_BROWSER_CACHE_SECONDS
            )
        return response

    return cached_view
