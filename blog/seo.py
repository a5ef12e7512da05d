"""What search engines and social networks read: page metadata and schema.org JSON-LD."""

from django.conf import settings
from django.urls import reverse

from blog.rendering import plain_text, web_url


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
