"""The public page cache and conditional GET.

Anonymous GETs of public pages and feeds are answered from the cache under a key made of the
site, the URL and the content's version. The version has two parts:

- a generation stamp (a time in nanoseconds) that changes whenever something the public can
  see is saved or deleted: a published post (or one that was published), its FAQs,
  references, authors and tags, a topic, a tag, an author's profile;
- the publish time of the newest public post (one indexed query), which moves by itself when
  a scheduled post's time comes.

A change therefore reaches readers at once, without purging anything. The version is the
page's ETag and gives its Last-Modified, so conditional GETs get a 304 without rendering.
Edits to drafts change nothing here, and reveal nothing.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

GENERATION_KEY = "byline:content-generation"
# Query parameters that select what a page shows; with any other, a page is not cached
# (so `?utm_source=…` variations cannot fill the cache).
PAGE_PARAMETERS = {"page", "q"}


def content_generation():
    return cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None)


def bump_content_generation(**kwargs):
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def content_version():
    """(ETag seed, Last-Modified as a Unix time) for everything the public can see now."""
    from blog.models import Post

    generation = content_generation()
    went_live = Post.objects.published().latest_publish_time()
    changed = max(generation / 1e9, went_live.timestamp() if went_live else 0)
    return f"{generation}:{went_live and went_live.timestamp()}", int(changed)


def public_page(view):
    """Serve `view` from the page cache to anonymous readers, with ETag and Last-Modified."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if (
            request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES  # editors see pages as they are
            or not set(request.GET) <= PAGE_PARAMETERS
        ):
            return view(request, *args, **kwargs)
        version, last_modified = content_version()
        key = f"{version}:{request.scheme}://{request.get_host()}{request.get_full_path()}"
        digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        etag = f'"{digest}"'

        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = cache.get(f"byline:page:{digest}")
            if response is None:
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)):
                    response = response.render()
                if response.status_code == 200 and not response.streaming:
                    cache.set(f"byline:page:{digest}", response, settings.BYLINE_PAGE_CACHE_SECONDS)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(
                response, public=True, max_age=settings.BYLINE_BROWSER_CACHE_SECONDS
            )
        return response

    return cached_view


def post_is_or_was_public(post):
    return getattr(post, "_was_public", False) or post.is_published()


def remember_visibility(sender, instance, **kwargs):
    """pre_save/pre_delete of a Post: note whether the public could see it before."""
    from blog.models import Post

    instance._was_public = (
        instance.pk is not None and Post.objects.published().filter(pk=instance.pk).exists()
    )


def post_changed(sender, instance, **kwargs):
    if post_is_or_was_public(instance):
        bump_content_generation()


def post_part_changed(sender, instance, **kwargs):
    """A FAQ, reference, byline or tagging changed: only a public post's matter."""
    from blog.models import Post

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
