"""The header and footer menus every public page shows, with no query per page.

What they show is read from the database when it changes (a menu, an item, a topic, or a post,
tag or author a menu links to: `menus_changed`), not when a page is rendered, and kept in the
shared cache under one key for every process; each process remembers it for the content
generation (every such change moves it). Only a cache that lost the key makes a page read them
(two queries), once. Each link carries the time its target became public, so a scheduled post
in a menu appears when it goes live (the page cache's version moves then) with nothing read.

A change made inside a transaction is read and stored at once, for a minute only (it may still
be rolled back), and again for good once the transaction commits. A page rendered meanwhile
that reads them itself only adds them if the key is empty, so it never replaces what a change
stored with what it read before that change.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch

from blog.caching import post_is_or_was_public
from blog.content_version import caches_per_process, content_generation
from blog.memo import VersionMemo
from blog.models import Menu, MenuItem, Topic
from blog.models.menus import ALWAYS
from blog.seo import fixed_url

CACHE_KEY = "byline:menus:1"
SETTLED_SECONDS = 7 * 24 * 3600
UNSETTLED_SECONDS = 60


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    public_from: datetime


@dataclass(frozen=True)
class SiteMenus:
    header: tuple
    footer: tuple
    # What the items link to, for menus_changed() to tell which changes matter.
    post_ids: frozenset = frozenset()
    tag_ids: frozenset = frozenset()
    author_ids: frozenset = frozenset()

    def shown(self, now):
        """The menus as readers see them at `now`: links to what is public."""
        return ShownMenus(
            header=[link for link in self.header if link.public_from <= now],
            footer=[link for link in self.footer if link.public_from <= now],
        )


@dataclass(frozen=True)
class ShownMenus:
    header: list
    footer: list

    @property
    def footer_subscribes(self):
        """Whether the footer menu links to the subscribe page (else the footer line does)."""
        return any(link.url == fixed_url("blog:subscribe") for link in self.footer)


def default_footer():
    return (
        MenuLink("Subscribe", fixed_url("blog:subscribe"), ALWAYS),
        MenuLink("RSS feed", fixed_url("blog:feed"), ALWAYS),
    )


def read_menus():
    """The menus from the database: each saved menu's items whose target exists, in order;
    the topics (by name) for a header menu never saved, and links to the subscribe page and
    the site's feed for a footer menu never saved. Two queries, three with only a footer."""
    menus = Menu.objects.prefetch_related(
        Prefetch("items", queryset=MenuItem.objects.for_public_menus())
    )
    links, targets = {}, {"post": set(), "tag": set(), "author": set()}
    for menu in menus:
        for item in menu.items.all():
            if item.kind in targets and (target_id := getattr(item, f"{item.kind}_id")):
                targets[item.kind].add(target_id)
        links[menu.location] = tuple(
            MenuLink(item.label or item.target_name(), item.href(), public_from)
            for item in menu.items.all()
            if (public_from := item.public_from()) is not None
        )
    if Menu.Location.HEADER not in links:
        links[Menu.Location.HEADER] = tuple(
            MenuLink(topic.name, topic.get_absolute_url(), ALWAYS)
            for topic in Topic.objects.only("name", "slug")
        )
    if Menu.Location.FOOTER not in links:
        links[Menu.Location.FOOTER] = default_footer()
    return SiteMenus(
        header=links[Menu.Location.HEADER],
        footer=links[Menu.Location.FOOTER],
        post_ids=frozenset(targets["post"]),
        tag_ids=frozenset(targets["tag"]),
        author_ids=frozenset(targets["author"]),
    )


def _cache_key():
    """The menus' key: one for every process when the cache is shared (Redis); per content
    generation when each process has its own cache (local memory, the workers of one machine
    sharing the generation's file), where a change stored by one process is not in the others'
    caches: they read the menus again, once, after each change."""
    if not caches_per_process():
        return CACHE_KEY
    return f"{CACHE_KEY}:{content_generation()}"


def _stored_or_read(_key):
    key = _cache_key()
    menus = cache.get(key)
    if menus is None:  # the cache lost them (or never had them): read, and add unless stored
        menus = read_menus()
        cache.add(key, menus, SETTLED_SECONDS)
    return menus


_menus = VersionMemo(kept=1)


def site_menus():
    """The menus, from this process's memory (per content generation) or the cache."""
    return _menus.get("menus", _stored_or_read)


def forget_menus():
    """As a new process would: read them from the cache again, and the frame that shows them
    rendered again."""
    from blog.frame import forget_frames  # it imports this module

    _menus.forget()
    forget_frames()


def store_menus(settled):
    cache.set(_cache_key(), read_menus(), SETTLED_SECONDS if settled else UNSETTLED_SECONDS)
    forget_menus()


def _known_menus():
    """The menus this process or the cache holds; None if neither (nothing to replace)."""
    return _menus.found.get("menus") or cache.get(_cache_key())


def _matters(sender, instance):
    if sender in (Menu, MenuItem, Topic):
        return True
    menus = _known_menus()
    if menus is None:
        return False
    if sender._meta.label == "blog.Post" and instance.pk in menus.post_ids:
        return True
    if menus.tag_ids or menus.author_ids:
        # A tag or author in a menu shows from its first published post: a public post's
        # change, or a change of which posts it is on, may change that. (A draft's does not.)
        if sender._meta.label == "blog.Post":
            return post_is_or_was_public(instance)
        if sender._meta.label in ("taggit.TaggedItem", "blog.PostAuthor"):
            return True
    if sender._meta.label == "taggit.Tag":
        return instance.pk in menus.tag_ids
    if sender._meta.label == settings.AUTH_USER_MODEL:
        return instance.pk in menus.author_ids
    return False


def menus_changed(sender, instance, **kwargs):
    """post_save/post_delete of what the menus show: store them again, now and on commit."""
    if not _matters(sender, instance):
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        store_menus(settled=True)
        return
    store_menus(settled=False)
    if not getattr(connection, "byline_menus_pending", False):
        connection.byline_menus_pending = True

        def settle():
            connection.byline_menus_pending = False
            store_menus(settled=True)

        transaction.on_commit(settle)
