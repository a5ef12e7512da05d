"""Which links are sponsored: the affiliate networks' rules and the site's live /go/ links, as
the renderer applies them.

The rules are rows (blog.models.sponsored), read into an immutable `AffiliateRules` once per
content generation: every change to them moves the generation (blog/apps.py), so each process
reads them again on its next render, and a render's cache (blog.rendering) is keyed by them.
An import renders in forked processes that must not use the database: it reads them first
and passes them along.
"""

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.apps import apps as global_apps
from django.conf import settings
from django.http.request import validate_host

from blog.memo import VersionMemo

GO_PREFIX = "/go/"
_GO_PATH = re.compile(r"^/go/([A-Za-z0-9_-]+)/?$")
# No host is longer (RFC 1035); matching a rule against a longer one costs time with its square.
MAX_HOST_LENGTH = 253

# What a browser does to an address before following it (the WHATWG URL standard), where that
# changes where it leads. A link is judged by where it goes, not by how it is spelt: otherwise
# "https://amzn.to./x", "https://%61mzn.to/x", "https:\\amzn.to/x" or "/%67o/deal/" would be
# affiliate links that nothing marks or discloses.
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_FULL_STOPS = str.maketrans("\u3002\uff0e\uff61", "...")
# Pages that show Markdown are two levels deep (/posts/<slug>/, /authors/<slug>/, previews).
_PAGE_PATH = "/posts/page/"


@dataclass(frozen=True)
class Address:
    """Where a link leads, as a browser reads it."""

    scheme: str  # lower case; "" for an address relative to the page
    host: str  # as DNS reads it: lower case, escapes and full-width forms undone, no final dot
    path: str  # this site's addresses only: escapes undone (as the server does), dots resolved
    query: str
    on_site: bool  # relative, or absolute to one of this site's own hosts


def _own_host(host):
    return validate_host(host, [name for name in settings.ALLOWED_HOSTS if name != "*"])


def _resolved(path):
    """`path` (escapes undone) with its dot segments resolved, as from a page of the site."""
    if not path.startswith("/"):
        path = _PAGE_PATH + path
    segments, resolved = path.split("/")[1:], []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment in {".", ".."}:
            if segment == ".." and resolved:
                resolved.pop()
            if last:
                resolved.append("")
        else:
            resolved.append(segment)
    return "/" + "/".join(resolved)


def browser_address(href):
    """The Address `href` leads to; its scheme says "invalid" where no browser follows it."""
    href = href.strip(_C0_OR_SPACE).translate(_TAB_OR_NEWLINE)
    match = _SCHEME.match(href)
    scheme = match[1].lower() if match else ""
    if scheme not in {"", "http", "https"}:
        return Address(scheme, "", "", "", False)
    href = href.replace("\\", "/")  # a slash, in http(s) addresses
    if scheme:  # "https:amzn.to" and "https:/amzn.to" lead to amzn.to from an http page
        href = f"{scheme}://{href[match.end() :].lstrip('/')}"
    elif href.startswith("//"):  # so does "///amzn.to", from any page
        href = f"//{href.lstrip('/')}"
    try:
        parts = urlsplit(href)
        host = parts.hostname or ""
    except ValueError:  # an unbalanced [ or ] in the host
        return Address("invalid", "", "", "", False)
    host = unicodedata.normalize("NFKC", unquote(host)).translate(_FULL_STOPS).lower()
    host = host.rstrip(".")
    on_site = not parts.netloc or _own_host(host)
    path = _resolved(unquote(parts.path)) if on_site and parts.path else ""
    return Address(scheme, host, path, parts.query, bool(on_site))


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

    @functools.cached_property
    def fingerprint(self):
        """The same text for the same rules in any process: what tells a render made in an
        import's parsing worker from one the rules have moved on since (blog/importers)."""
        return hashlib.sha256(repr((self.rules, sorted(self.live_links))).encode()).hexdigest()

    def network_of(self, url):
        """The name of the network whose rule `url` (absolute) matches, or None."""
        address = browser_address(url)
        host = address.host.removeprefix("www.")
        if not host or len(host) > MAX_HOST_LENGTH or address.scheme not in {"", "http", "https"}:
            return None
        query = None
        for network, source, parameter in self.rules:
            if not _compiled(source).fullmatch(host):
                continue
            if parameter:
                query = parse_qs(address.query) if query is None else query
                if parameter not in query:
                    continue
            return network
        return None

    def is_live(self, slug):
        return slug in self.live_links


def go_slug(href):
    """The slug of a /go/<slug>/ address of this site (however it is spelt), or None."""
    address = browser_address(href)
    match = _GO_PATH.match(address.path) if address.on_site else None
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


_rules = VersionMemo()


def current_rules():
    """The rules as of the current content generation (read once per generation and
    process)."""
    return _rules.get("rules", lambda _: load_rules())


def forget_rules(**kwargs):
    """Read them again on the next render (a change to them in this process)."""
    _rules.forget()


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
