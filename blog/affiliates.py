"""Which links are sponsored: the affiliate networks' rules and the site's live /go/ links, as
the renderer applies them.

The rules are rows (blog.models.sponsored), read into an immutable `AffiliateRules` once per
content generation: every change to them moves the generation (blog/apps.py), so each process
reads them again on its next render, and a render's cache (blog.rendering) is keyed by them.
An import renders in forked processes that must not use the database: it reads them first
and passes them along.
"""

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.apps import apps as global_apps

GO_PREFIX = "/go/"
_GO_PATH = re.compile(r"^/go/([A-Za-z0-9_-]+)/?$")


def host_regex(pattern):
    """The regular expression (source) a host pattern stands for (see HOST_PATTERN)."""
    pattern = pattern.lower().removeprefix("www.")
    anywhere_under = pattern.startswith("*.")
    any_tld = pattern.endswith(".*")
    core = pattern.removeprefix("*.").removesuffix(".*")
    source = re.escape(core)
    if anywhere_under:
        source = r"(?:[a-z0-9-]+\.)*" + source
    if any_tld:
        source += r"(?:\.[a-z0-9-]+)+"
    return source


@functools.cache
def _compiled(source):
    return re.compile(source)


@dataclass(frozen=True)
class AffiliateRules:
    """(network name, host regex source, required query parameter or "") per rule, and the
    slugs of the active sponsored links."""

    rules: tuple = ()
    live_links: frozenset = frozenset()

    def network_of(self, url):
        """The name of the network whose rule `url` (absolute) matches, or None."""
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
        if not host or parts.scheme not in {"", "http", "https"}:
            return None
        query = None
        for network, source, parameter in self.rules:
            if not _compiled(source).fullmatch(host):
                continue
            if parameter:
                query = parse_qs(parts.query) if query is None else query
                if parameter not in query:
                    continue
            return network
        return None

    def is_live(self, slug):
        return slug in self.live_links


def go_slug(href):
    """The slug of a /go/<slug>/ address (relative, as posts write them), or None."""
    parts = urlsplit(href.strip())
    if parts.scheme or parts.netloc:
        return None
    match = _GO_PATH.match(parts.path)
    return match[1] if match else None


def load_rules():
    """The rules as the database has them now; the seed networks' while it has no table for
    them yet (a migration before 0017 that renders posts)."""
    from django.db import DatabaseError, transaction

    from blog.models.sponsored import AffiliateRule, SponsoredLink

    rows = (
        AffiliateRule.objects.filter(network__active=True)
        .order_by("network__name", "host", "parameter")
        .values_list("network__name", "host", "parameter")
    )
    try:
        with transaction.atomic():  # a savepoint: a missing table must not end a transaction
            rows = list(rows)
            live = frozenset(SponsoredLink.objects.active().values_list("slug", flat=True))
    except DatabaseError:
        rows = [
            (name, host, parameter) for name, rules in SEED_NETWORKS for host, parameter in rules
        ]
        live = frozenset()
    return AffiliateRules(
        rules=tuple((name, host_regex(host), parameter) for name, host, parameter in rows),
        live_links=live,
    )


_current = {}  # {content generation: AffiliateRules}, the current generation's only


def current_rules():
    """The rules as of the current content generation (read once per generation and
    process)."""
    from blog.content_version import content_generation

    generation = content_generation()
    rules = _current.get(generation)
    if rules is None:
        rules = load_rules()
        _current.clear()
        _current[generation] = rules
    return rules


def forget_rules(**kwargs):
    """Read them again on the next render (a change to them in this process)."""
    _current.clear()


# The networks a new site starts with (migration 0018), as (name, [(host pattern, parameter)]).
SEED_NETWORKS = [
    ("Amazon Associates", [("amzn.to", ""), ("amzn.eu", ""), ("*.amazon.*", "tag")]),
    ("Awin", [("*.awin1.com", ""), ("awin.link", ""), ("*.zenaps.com", "")]),
    (
        "CJ Affiliate",
        [
            (f"*.{host}", "")
            for host in (
                "anrdoezrs.net",
                "dpbolvw.net",
                "jdoqocy.com",
                "kqzyfj.com",
                "tkqlhce.com",
                "qksrv.net",
                "emjcd.com",
            )
        ],
    ),
    ("ClickBank", [("*.hop.clickbank.net", "")]),
    ("eBay Partner Network", [("*.ebay.*", "campid"), ("ebay.us", "")]),
    ("FlexOffers", [("*.flexlinkspro.com", "")]),
    (
        "Impact",
        [(f"*.{host}", "") for host in ("sjv.io", "pxf.io", "ojrq.net", "evyy.net", "7eer.net")],
    ),
    ("Partnerize", [("prf.hn", "")]),
    ("Rakuten Advertising", [("*.linksynergy.com", "")]),
    ("ShareASale", [("*.shareasale.com", ""), ("*.shareasale-analytics.com", "")]),
    ("Skimlinks", [("*.skimresources.com", "")]),
    ("Sovrn Commerce", [("*.viglink.com", ""), ("sovrn.co", "")]),
]


def seed_networks(apps=global_apps, **kwargs):
    """Create the seed networks and the site's settings row, once: a site that has the row
    has been seeded, and keeps what its editors made of the list. (A test database flushed
    between tests has neither, and gets them again: blog/apps.py runs this after migrate.)"""
    try:
        SiteSettings = apps.get_model("blog", "SiteSettings")
    except LookupError:  # not installed, or migrated back before 0017
        return
    if SiteSettings.objects.exists():
        return
    AffiliateNetwork = apps.get_model("blog", "AffiliateNetwork")
    AffiliateRule = apps.get_model("blog", "AffiliateRule")
    for name, rules in SEED_NETWORKS:
        network, _ = AffiliateNetwork.objects.get_or_create(name=name)
        for host, parameter in rules:
            AffiliateRule.objects.get_or_create(network=network, host=host, parameter=parameter)
    SiteSettings.objects.create(pk=1)
    forget_rules()
