"""The addresses an imported WordPress post had on its old site, kept as redirects to it.

A post's permalink (the export's `<link>`), its `<guid>` when that is an address on the same
site, and its number (`/?p=ID`, and `/?page_id=ID` for a page) answer 301 to the post, at
whatever address it has now. Addresses on another host are not this site's to answer, and an
address that is the post's own new one would redirect to itself: both are left out.
"""

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError

from blog.models import Redirect
from blog.models.redirects import check_old_path, normalised_path


def _host(url):
    host = urlsplit(url).netloc.lower().rpartition("@")[2]
    return host.removeprefix("www.")


def wordpress_addresses(site_urls, link, guid, post_id, kind):
    """The old paths of one WordPress item: `site_urls` are the export's addresses of the
    site (its channel link, base site and blog URLs)."""
    sites = [url for url in site_urls if url]
    hosts = {_host(url) for url in sites} - {""}
    paths = []
    for url in (link, guid):
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or _host(url) not in hosts:
            continue  # another site's address (or a guid that is no address at all)
        try:
            path = check_old_path(urlunsplit(("", "", parts.path or "/", parts.query, "")))
        except ValidationError:
            continue
        if path != "/":
            paths.append(path)
    if str(post_id).isdigit():
        home = urlsplit(sites[0]).path if sites else "/"
        names = ["p", "page_id"] if kind == "page" else ["p"]
        paths += [normalised_path(home or "/", f"{name}={int(post_id)}") for name in names]
    return list(dict.fromkeys(paths))


def keep_old_addresses(post, paths):
    """Redirect each of `paths` to `post`, but not its own address and not one a redirect
    already answers (an editor's, or another post's): importing again changes nothing.
    One statement."""
    own = normalised_path(post.get_absolute_url())
    new = [
        Redirect(old_path=path, post=post, source=Redirect.Source.IMPORT)
        for path in paths
        if path != own
    ]
    if new:
        Redirect.objects.bulk_create(new, ignore_conflicts=True)
