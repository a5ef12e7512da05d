"""Purging a CDN or a caching proxy in front of the site when a post goes live, so readers see
it without waiting for cached pages to expire.

BYLINE_PURGE_URLS holds "METHOD URL" templates ("PURGE http://varnish:6081{path}", "POST
https://api.cdn.example/purge?url={url}"): each one is sent for every page the post changes.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from blog import outbound, websub
from blog.seo import site_url


def templates():
    """(method, URL template) pairs from BYLINE_PURGE_URLS."""
    found = []
    for entry in settings.BYLINE_PURGE_URLS:
        method, _, template = entry.strip().partition(" ")
        if not method.isalpha() or not template.strip():
            raise ImproperlyConfigured(
                f"BYLINE_PURGE_URLS: {entry!r} is not a method and a URL, such as "
                "'PURGE http://varnish:6081{path}'."
            )
        found.append((method.upper(), template.strip()))
    return found


def purge_targets(post):
    """The absolute URLs of the pages that show `post`: its own, the home page, its tags',
    topics' and authors' lists, and every feed it appears in."""
    paths = [post.get_absolute_url()] if post.slug else []
    paths.append(reverse("blog:post_list"))
    paths += [
        entry["url"]
        for entry in (*post.stored_tags, *post.stored_topics, *post.stored_authors)
        if entry.get("url")
    ]
    return list(dict.fromkeys([site_url(path) for path in paths] + websub.feed_urls(post)))


def fill(template, url):
    path = urlsplit(url).path
    return template.replace("{url}", url).replace("{path}", path)


def purge(post):
    """Send each template for each of the post's pages. The operator chose these addresses, so
    private ones (a Varnish beside the app) are allowed. Returns the answers; OutboundError
    lists every request that failed, after all were tried."""
    requests = [
        {"method": method, "url": fill(template, target)}
        for method, template in templates()
        for target in purge_targets(post)
    ]
    results = outbound.send_all(requests, allow_private=True)
    failures = [
        f"{request['method']} {outbound.shown(request['url'])}: "
        + (result.reason if isinstance(result, outbound.OutboundError) else str(result.status))
        for request, result in zip(requests, results, strict=True)
        if isinstance(result, outbound.OutboundError) or not result.ok
    ]
    if failures:
        raise outbound.OutboundError(
            f"{len(failures)} of {len(requests)} purge requests failed: " + "; ".join(failures)
        )
    return results
