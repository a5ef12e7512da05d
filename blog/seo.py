"""What search engines and social networks read: page metadata and schema.org JSON-LD.

The functions build schema.org objects; `PageMetaMixin` gives every public page its metadata.
"""

import functools
import re

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import reverse

from blog.rendering import plain_text


@functools.cache
def fixed_url(name):
    """reverse(name) of a URL without arguments, found once per process: every page's frame
    links to the same few (home, feeds, search), and reversing them was a tenth of a list
    page's time."""
    return reverse(name)


# What Django's slug converter takes: any other slug is left to reverse() (which refuses it).
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_STAND_IN = "byline-slug-stand-in"


@functools.cache
def _slug_url_pattern(name):
    return reverse(name, kwargs={"slug": _SLUG_STAND_IN})


def slug_url(name, slug):
    """reverse(name, kwargs={"slug": slug}), the URL reversed once per process with a stand-in
    for the slug: a post page links to itself, its author's feed and its topic's four or more
    times, and reverse() costs tens of microseconds each."""
    pattern = _slug_url_pattern(name)
    if pattern.count(_SLUG_STAND_IN) != 1 or not _SLUG.fullmatch(slug or ""):
        return reverse(name, kwargs={"slug": slug})
    return pattern.replace(_SLUG_STAND_IN, slug)


def site_url(path):
    """The absolute address of a path of this site, outside a request (BYLINE_SITE_URL)."""
    return settings.BYLINE_SITE_URL + path


@functools.cache
def static_url(path):
    """{% static path %}, found once per process (the manifest does not change under it)."""
    return static(path)


@receiver(setting_changed)
def _urls_changed(setting, **kwargs):
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME", "STATIC_URL", "STORAGES"}:
        fixed_url.cache_clear()
        _slug_url_pattern.cache_clear()
        static_url.cache_clear()


def person(request, author):
    """`author` as stored in a byline (blog.models.stored.byline_entry())."""
    data = {"@type": "Person", "name": author["name"]}
    if author["url"]:
        data["url"] = request.build_absolute_uri(author["url"])
    if author["same_as"]:
        data["sameAs"] = author["same_as"]
    return data


def publisher(request):
    return {
        "@type": "Organization",
        "name": settings.BYLINE_SITE_NAME,
        "url": request.build_absolute_uri("/"),
    }


def blog_posting(request, post, canonical_url):
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical_url},
        "headline": post.title,
        "description": post.description,
        "url": canonical_url,
        "datePublished": post.publish_at.isoformat(),
        "dateModified": max(post.updated_at, post.publish_at).isoformat(),
        "author": [person(request, author) for author in post.stored_authors],
        "publisher": publisher(request),
        "keywords": sorted(tag["name"] for tag in post.stored_tags),
        "articleSection": [topic["name"] for topic in post.stored_topics],
        "wordCount": post.word_count,
        "timeRequired": f"PT{post.reading_time}M",
        "inLanguage": settings.LANGUAGE_CODE,
    }
    if post.featured_image_id:
        data["image"] = {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(post.featured_image.url),
            "width": post.featured_image.width,
            "height": post.featured_image.height,
        }
    return data


def web_page(request, page, canonical_url):
    """A standalone page (About, Contact, Privacy): what it is, not an article."""
    data = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "@id": canonical_url,
        "name": page.title,
        "description": page.description,
        "url": canonical_url,
        "dateModified": max(page.updated_at, page.publish_at).isoformat(),
        "isPartOf": {
            "@type": "WebSite",
            "name": settings.BYLINE_SITE_NAME,
            "url": request.build_absolute_uri("/"),
        },
        "publisher": publisher(request),
        "inLanguage": settings.LANGUAGE_CODE,
    }
    if page.featured_image:
        data["image"] = request.build_absolute_uri(page.featured_image.url)
    return data


def faq_page(post, faqs):
    """`faqs` as stored on the post: question and answer_html."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq["question"],
                "acceptedAnswer": {"@type": "Answer", "text": plain_text(faq["answer_html"])},
            }
            for faq in faqs
        ],
    }


def breadcrumb_list(request, crumbs):
    """`crumbs` are (name, path) pairs from the home page down to the current page."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": request.build_absolute_uri(path),
            }
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }


def website(request):
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.BYLINE_SITE_NAME,
        "description": settings.BYLINE_SITE_DESCRIPTION,
        "url": request.build_absolute_uri("/"),
        "potentialAction": {
            "@type": "SearchAction",
            "target": request.build_absolute_uri(fixed_url("blog:search")) + "?q={search_term}",
            "query-input": "required name=search_term",
        },
    }


class PageMetaMixin:
    """The metadata every public page carries: title, description, canonical URL, feeds,
    breadcrumbs and structured data. Views override the parts that differ."""

    page_description = settings.BYLINE_SITE_DESCRIPTION
    og_type = "website"
    noindex = False

    def get_page_title(self):
        return settings.BYLINE_SITE_NAME

    def get_page_description(self):
        return self.page_description

    def get_breadcrumbs(self):
        return []

    def get_feeds(self):
        return [
            (f"{settings.BYLINE_SITE_NAME} (RSS)", fixed_url("blog:feed"), "application/rss+xml"),
            (
                f"{settings.BYLINE_SITE_NAME} (Atom)",
                fixed_url("blog:feed_atom"),
                "application/atom+xml",
            ),
        ]

    def get_structured_data(self):
        crumbs = self.get_breadcrumbs()
        return [breadcrumb_list(self.request, crumbs)] if len(crumbs) > 1 else []

    def get_canonical_url(self):
        page = self.request.GET.get("page")
        suffix = f"?page={page}" if page and page != "1" and page.isdigit() else ""
        return self.request.build_absolute_uri(self.request.path) + suffix

    def _page_url(self, number):
        query = self.request.GET.copy()
        query["page"] = number
        if number == 1:
            del query["page"]
        return f"?{query.urlencode()}" if query else self.request.path

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page_obj = context.get("page_obj")
        title = self.get_page_title()
        if page_obj and page_obj.number > 1:
            title = f"{title} (page {page_obj.number})"
        context["meta"] = {
            "prev_url": page_obj
            and page_obj.has_previous()
            and self._page_url(page_obj.previous_page_number()),
            "next_url": page_obj
            and page_obj.has_next()
            and self._page_url(page_obj.next_page_number()),
            "title": title,
            "description": self.get_page_description(),
            "canonical_url": self.get_canonical_url(),
            "og_type": self.og_type,
            "feeds": self.get_feeds(),
            "breadcrumbs": self.get_breadcrumbs(),
            "structured_data": self.get_structured_data(),
            "noindex": self.noindex,
        }
        return context
