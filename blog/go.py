"""The sponsored-link redirect /go/<slug>/ and its click counting.

A reader who follows a sponsored link is sent on to its destination and counted, once, in the
day's counter for the link, the post the click came from (`?from=<post slug>`, which rendered
posts carry) and whether a bot made it. Nothing about the reader is kept or logged: no address,
cookie, browser string or referrer. The merchant learns only our origin (Referrer-Policy), and
the post's slug when the link has a tracking parameter.
"""

import logging
import re
from functools import wraps
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

from django.core.handlers.exception import response_for_exception
from django.db import DatabaseError, connections, router, transaction
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_safe

from blog.memo import VersionMemo
from blog.models import LinkClicks, Post, SponsoredLink
from blog.rendering import web_url

logger = logging.getLogger(__name__)

# Crawlers, link previews, monitors and HTTP libraries announce themselves in the User-Agent;
# browsers do not. "cubot" is a phone maker whose browsers' strings hold "bot".
BOT_USER_AGENT = re.compile(
    r"(?<!cu)bot|crawl|spider|slurp|archiver|facebookexternalhit|facebookcatalog"
    r"|meta-externalagent|preview|embedly|iframely|whatsapp"
    r"|curl|wget|python-requests|python-urllib|httpx|aiohttp|scrapy|go-http-client|okhttp"
    r"|java/|libwww|node-fetch|undici|axios|headlesschrome|phantomjs|lighthouse|pagespeed"
    r"|gtmetrix|pingdom|uptime|monitor|validator|\+https?://",
    re.IGNORECASE,
)

# Sent with every /go/ answer: each click is counted, so no browser or shared cache may keep
# one; search engines should neither index nor follow it; the merchant gets our origin only,
# never the article's path.
HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def is_bot(user_agent):
    """Whether a request with this User-Agent comes from a program rather than a reader: a
    known marker, or no User-Agent at all."""
    return not user_agent.strip() or BOT_USER_AGENT.search(user_agent) is not None


def post_from(value):
    """The public post or page `?from=` names, by its slug or one it used to have; None for
    anything else (a draft's slug must not show through the tracking parameter)."""
    if not value:
        return None
    posts = Post.objects.public().only("pk", "slug")
    return posts.filter(slug=value).first() or posts.filter(slug_redirects__old_slug=value).first()


# Links and posts found, for the content version they were found at: a link or a post that
# changes, and a scheduled post going live, move the version (blog/content_version.py), so a
# click on a known link from a known post needs one statement, the count.
_links, _posts = VersionMemo(per="version"), VersionMemo(per="version")


def _active_link(slug):
    return SponsoredLink.objects.active().filter(slug=slug).first()


def destination(link, post):
    """Where the click goes: the link's destination, with its tracking parameter set to the
    post's slug when there is a post. The destination's own parameters are kept as written.
    "" when the stored destination is not an http(s) address (written around the form's
    check): it is refused, never sent as a Location."""
    address = web_url(link.destination)
    if not address or not (link.tracking_parameter and post):
        return address
    parts = urlsplit(address)
    name = link.tracking_parameter
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and unquote_plus(pair.partition("=")[0]) != name
    ]
    query = "&".join([*kept, f"{quote(name)}={quote(post.slug)}"])
    return urlunsplit(parts._replace(query=query))


def _counter_sql(connection, from_post):
    """One INSERT … ON CONFLICT DO UPDATE, naming the partial unique constraint it meets: the
    database adds or increments the row in one statement, exact under any concurrency."""
    table = connection.ops.quote_name(LinkClicks._meta.db_table)
    if from_post:
        columns, target = "link_id, post_id, day, bot", "post_id IS NOT NULL"
    else:
        columns, target = "link_id, day, bot", "post_id IS NULL"
    return (
        f"INSERT INTO {table} (link_id, post_id, day, bot, clicks) VALUES (%s, %s, %s, %s, 1) "
        f"ON CONFLICT ({columns}) WHERE {target} "
        f"DO UPDATE SET clicks = {table}.clicks + 1"
    )


def count_click(link, post, bot):
    """One more click on `link` today (in the site's time zone), from `post` (or None) by a bot
    or a person. A database that fails here loses the click, not the redirect: it is logged
    and the caller goes on."""
    connection = connections[router.db_for_write(LinkClicks)]
    day = connection.ops.adapt_datefield_value(timezone.localdate())
    params = [link.pk, post.pk if post else None, day, bot]
    try:
        if connection.in_atomic_block:
            # A savepoint: a failed statement must not end the transaction around it.
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(_counter_sql(connection, post), params)
        else:  # autocommit: the statement is its own transaction, one round trip
            with connection.cursor() as cursor:
                cursor.execute(_counter_sql(connection, post), params)
    except DatabaseError:
        logger.warning("Click on sponsored link %s not counted", link.slug, exc_info=True)


def no_store(view):
    """Send HEADERS with every answer of `view`, its 404 page (the site's own) included."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404 as exception:
            response = response_for_exception(request, exception)
        for name, value in HEADERS.items():
            response[name] = value
        return response

    return wrapped


@no_store
@require_safe
def go(request, slug):
    """Redirect to an active sponsored link's destination; a GET is counted, a HEAD is not."""
    link = _links.get(slug, _active_link)
    if link is None:
        raise Http404("No such sponsored link")
    post = _posts.get(request.GET.get("from", ""), post_from)
    address = destination(link, post)
    if not address:
        raise Http404("Sponsored link without a web address")
    if request.method == "GET":
        count_click(link, post, is_bot(request.headers.get("user-agent", "")))
    return HttpResponseRedirect(address)
