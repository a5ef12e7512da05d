"""What search engines and social networks read: page metadata and schema.org JSON-LD."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from blog.rendering import plain_text

# What a browser drops from a URL before reading its scheme: tabs and newlines anywhere,
# control characters and spaces around it.
_URL_IGNORED = re.compile(r"[\t\n\r]")


def web_url(url):
    """`url` if it is an http(s) address with a host, else "": stored URLs are checked where
    they become links, not only by the forms and importers that write them."""
    cleaned = _URL_IGNORED.sub("", url or "").strip("".join(map(chr, range(33))))
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in {"http", "https"} and parts.hostname else ""


def person(request, author):
    data = {"@type": "Person", "name": author.name}
    if author.slug:
        data["url"] = request.build_absolute_uri(author.get_absolute_url())
    same_as = [url for url in map(web_url, (author.website, author.linkedin)) if url]
    if author.twitter:
        same_as.append(f"https://x.com/{author.twitter}")
    if author.github:
        same_as.append(f"https://github.com/{author.github}")
    if same_as:
        data["sameAs"] = same_as
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
        "author": [person(request, author) for author in post.authors.all()],
        "publisher": publisher(request),
        "keywords": sorted(tag.name for tag in post.tags.all()),
        "articleSection": [topic.name for topic in post.topics.all()],
        "wordCount": post.word_count,
        "timeRequired": f"PT{post.reading_time}M",
        "inLanguage": settings.LANGUAGE_CODE,
    }
    if post.featured_image:
        data["image"] = {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(post.featured_image.url),
            "width": post.featured_image_width,
            "height": post.featured_image_height,
        }
    return data


def faq_page(post, faqs):
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": plain_text(faq.answer_html)},
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
            "target": request.build_absolute_uri(reverse("blog:search")) + "?q={search_term}",
            "query-input": "required name=search_term",
        },
    }
