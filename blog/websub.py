"""WebSub: every feed names a hub, and each go-live tells the hub which feeds changed, so that
subscribers get a post within seconds instead of at their next poll.

A hub checks that the feeds it is told about name it, by the very address it was given: the
feeds' self links and the addresses pinged here are both made by feed_url().
"""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from blog import outbound
from blog.seo import site_url

# The feeds of each scope: RSS, then Atom.
FEEDS = {
    "site": ("blog:feed", "blog:feed_atom"),
    "tag": ("blog:tag_feed", "blog:tag_feed_atom"),
    "topic": ("blog:topic_feed", "blog:topic_feed_atom"),
    "author": ("blog:author_feed", "blog:author_feed_atom"),
}


def feed_url(url_name, slug=None):
    return site_url(reverse(url_name, kwargs={"slug": slug} if slug else {}))


def feed_urls(post):
    """Every feed `post` appears in: the site's, and those of its tags, topics and authors."""
    urls = [feed_url(name) for name in FEEDS["site"]]
    for scope, entries in (
        ("tag", post.stored_tags),
        ("topic", post.stored_topics),
        ("author", post.stored_authors),
    ):
        for entry in entries:
            if entry.get("slug"):  # taggit makes "" of a name such as "!!!": it has no pages
                urls += [feed_url(name, entry["slug"]) for name in FEEDS[scope]]
    return list(dict.fromkeys(urls))


def ping_hub(urls):
    """Tell BYLINE_WEBSUB_HUB that the feeds at `urls` changed, one request per feed (every
    hub takes that; not all take several hub.url in one). The hub is the operator's choice, so
    it may be on a private network. Returns the hub's answers; OutboundError names the feeds
    it did not take."""
    hub = settings.BYLINE_WEBSUB_HUB
    if not hub or not urls:
        return []
    requests = [
        {
            "method": "POST",
            "url": hub,
            "body": urlencode({"hub.mode": "publish", "hub.url": url}).encode(),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        }
        for url in urls
    ]
    results = outbound.send_all(requests, allow_private=True)
    failures = [
        f"{url}: {result.reason if isinstance(result, outbound.OutboundError) else result.status}"
        for url, result in zip(urls, results, strict=True)
        if isinstance(result, outbound.OutboundError) or not result.ok
    ]
    if failures:
        raise outbound.OutboundError(
            f"The WebSub hub {outbound.shown(hub)} did not take {len(failures)} of {len(urls)} "
            "feeds: " + "; ".join(failures)
        )
    return results
