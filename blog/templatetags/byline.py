import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from blog.seo import web_url as _web_url

register = template.Library()

# The characters that could end a <script> element or start markup, as JSON escapes.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"})


@register.filter
def json_ld(data):
    """A schema.org object as a <script type="application/ld+json"> element."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.filter
def web_url(url):
    """The URL if it is an http(s) address, else "": for every stored URL put in an href."""
    return _web_url(url)
