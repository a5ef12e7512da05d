"""The admin's Content-Security-Policy.

SECURE_CSP is the public site's policy: no script at all. The admin runs Django's and
markdownx's scripts (all files from this origin, none inline) and fetches the live preview,
so every view in the "admin" URL namespace gets settings.BYLINE_ADMIN_CSP instead, the way
Django's own `csp_override` decorator would give it, and a view decorated with one keeps its
own. Django has no per-URL-prefix policy, and one decorator per admin view cannot reach the
views that Django and third-party apps register there.
"""

from django.conf import settings


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
