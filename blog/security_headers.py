"""The Content-Security-Policy of the admin, and of the public responses that run a file of
the site's own.

SECURE_CSP is the public site's policy: no script at all. The admin runs Django's and
markdownx's scripts (all files from this origin, none inline) and fetches the live preview,
so every view in the "admin" URL namespace gets settings.BYLINE_ADMIN_CSP instead, the way
Django's own `csp_override` decorator would give it, and a view decorated with one keeps its
own. Django has no per-URL-prefix policy, and one decorator per admin view cannot reach the
views that Django and third-party apps register there.
"""

import re

from django.conf import settings
from django.utils.cache import patch_vary_headers

from blog.seo import fixed_url


class AdminContentSecurityPolicyMiddleware:
    """Must come after ContentSecurityPolicyMiddleware, which reads what this one sets."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces:
            if not hasattr(response, "_csp_config"):  # what csp_override sets
                response._csp_config = settings.BYLINE_ADMIN_CSP
        return response


# Feeds are RSS or Atom; a browser shows those types as raw text, or downloads them.
FEED_TYPES = ("application/rss+xml", "application/atom+xml")
FEED_PATH = re.compile(r"/feed/(?:atom/)?\Z")


def opened_in_a_browser(request):
    """Whether the request is a browser opening the address as a page (it asks for HTML
    first); feed readers ask for feed types, or anything."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "application/xhtml+xml" in accept


class PublicScriptPolicyMiddleware:
    """Feeds opened in a browser, and the subscribe pages, run files of the site's own:

    - a feed's <?xml-stylesheet?> (/feed.xsl) turns it into a readable page, but only for a
      document the browser takes for XML (it shows RSS and Atom types as text) and whose
      policy lets it load the stylesheet (XSLT counts as script). A browser opening a feed gets
      it as application/xml (`Vary: Accept`) under this policy; feed readers get the same
      bytes with the same headers as before (and `Vary: Accept`);
    - the subscribe pages' copy buttons (static/js/copy_address.js).

    Both get BYLINE_PUBLIC_SCRIPT_CSP. Chosen by the response's type and the address, so pages
    from the page cache (answered before their view) get it too: place it after
    ContentSecurityPolicyMiddleware and before CachedPageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if hasattr(response, "_csp_config"):  # a view's own policy (the admin's)
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith(FEED_TYPES) or (
            response.status_code == 304 and FEED_PATH.search(request.path_info)
        ):
            patch_vary_headers(response, ["Accept"])
            if content_type and opened_in_a_browser(request):
                response["Content-Type"] = "application/xml; charset=utf-8"
                response._csp_config = settings.BYLINE_PUBLIC_SCRIPT_CSP
        elif request.path_info in (fixed_url("blog:subscribe"), fixed_url("blog:subscribe_tags")):
            response._csp_config = settings.BYLINE_PUBLIC_SCRIPT_CSP
        return response
