"""The site's frame: the header (name, tagline, search, main menu) and the footer (menu, the
copyright line) around every public page, rendered once per process and content version.

They were a third of an uncached page's template time and are the same on every page: only
the page a menu links to marks its own link as the current page, so that page, and only a
menu's page, gets a frame of its own. What they show changes only with the content version
(the menus are read per generation, and a menu link to a scheduled post appears when the
version moves at its go-live time) and the year.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from blog.memo import VersionMemo
from blog.menus import site_menus
from blog.seo import fixed_url


@dataclass(frozen=True)
class SiteFrame:
    header: str
    header_without_search: str  # the search page's, whose own form is the search box
    footer: str


# Per content version: the menus' URLs, and a frame for each of them and one for every other
# page (a menu has a handful of links, so this stays small).
_frames = VersionMemo(per="version", kept=64)


def site_frame(path):
    """The frame of the page at `path`."""
    menu_urls = _frames.get("menu urls", _menu_urls)
    current = path if path in menu_urls else ""
    return _frames.get(("frame", current, timezone.localdate().year), _render)


forget_frames = _frames.forget


def _shown_menus():
    return site_menus().shown(timezone.now())


def _menu_urls(_key):
    menus = _shown_menus()
    return frozenset(link.url for link in (*menus.header, *menus.footer))


def _render(key):
    _, current, year = key
    context = {
        "site_name": settings.BYLINE_SITE_NAME,
        "site_description": settings.BYLINE_SITE_DESCRIPTION,
        "home_url": fixed_url("blog:post_list"),
        "search_url": fixed_url("blog:search"),
        "subscribe_url": fixed_url("blog:subscribe"),
        "menus": _shown_menus(),
        "current_path": current,
        "year": year,
    }
    return SiteFrame(
        header=render_to_string("includes/site_header.html", {**context, "search": True}),
        header_without_search=render_to_string("includes/site_header.html", context),
        footer=render_to_string("includes/site_footer.html", context),
    )
