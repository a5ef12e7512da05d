from django.conf import settings
from django.utils.functional import SimpleLazyObject

from blog.frame import site_frame
from blog.seo import fixed_url, static_url


def site(request):
    """What every page's frame shows: the site's name and the addresses it links to."""
    return {
        "site_name": settings.BYLINE_SITE_NAME,
        "site_description": settings.BYLINE_SITE_DESCRIPTION,
        "home_url": fixed_url("blog:post_list"),
        "feed_url": fixed_url("blog:feed"),
        "feed_atom_url": fixed_url("blog:feed_atom"),
        "search_url": fixed_url("blog:search"),
        "subscribe_url": fixed_url("blog:subscribe"),
        # Only what shows it reads the menus (admin pages do not).
        "frame": SimpleLazyObject(lambda: site_frame(request.path)),
        "stylesheet_url": static_url("css/site.css"),
        "favicon_url": static_url("img/favicon.svg"),
    }
