"""RSS 2.0 and Atom feeds of published posts: the whole site, and each tag, topic and author.

Items carry the whole post (the sanitised body, FAQs and references, with the sponsored-link
disclosure before the first sponsored link; library images as one absolute <img> of a rendition
about 960 pixels wide, see feed_images), the summary, every author, tags and topics as
categories, and an id made from the post's UUID, so it survives edits and slug changes.
"""

import html
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, Stylesheet
from django.utils.html import escape, format_html
from django.utils.xmlutils import SimplerXMLGenerator

from blog import websub
from blog.disclosure import disclose
from blog.fragments import CARD_FIELDS
from blog.models import Post, Topic, public_authors, public_tags
from blog.seo import fixed_url

FEED_LENGTH = 20
_ROOT_RELATIVE = re.compile(r'(\s(?:href|src))="/(?!/)')
# Characters XML 1.0 cannot carry. Django refuses to write them, so one pasted into a title,
# a tag or a body would make the whole feed a 500.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Body images (blog/figures.py) are <picture>s with AVIF and WebP `srcset`s, which many feed
# readers drop or ignore: in feeds each is one plain <img> of the WebP rendition nearest this.
FEED_IMAGE_WIDTH = 960
_PICTURE = re.compile(r"<picture>.*?</picture>", re.DOTALL)
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def _xml_safe(value):
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(item) for item in value)
    return value


class XmlSafeFeed:
    """Drops the characters XML cannot carry from everything written into the feed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{name: _xml_safe(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **{name: _xml_safe(value) for name, value in kwargs.items()})


def item_content(post):
    """A feed item's content: the whole post as its page shows it (body, FAQs, references),
    with the disclosure before its first sponsored link."""
    extras = render_to_string("feeds/post_extras.html", {"post": post})
    (content,) = disclose(post, f"{feed_images(post.body_html)}\n{extras}")
    return content


def feed_images(content):
    """`content` with each <picture> made one <img>: the narrowest WebP rendition at least
    FEED_IMAGE_WIDTH wide (else the widest), its size and alt text, no `srcset`."""

    def replace(match):
        img = _IMG.search(match[0])
        if img is None:
            return ""
        attributes = {name: html.unescape(value) for name, value in _ATTRIBUTE.findall(img[1])}
        src, width = attributes.get("src", ""), int(attributes.get("width") or 0)
        candidates = []
        for candidate in attributes.get("srcset", "").split(", "):
            url, _, descriptor = candidate.strip().rpartition(" ")
            if url and descriptor.endswith("w") and descriptor[:-1].isdigit():
                candidates.append((int(descriptor[:-1]), url))
        if candidates:
            candidates.sort()
            chosen = next((c for c in candidates if c[0] >= FEED_IMAGE_WIDTH), candidates[-1])
            height = int(attributes.get("height") or 0)
            height = round(height * chosen[0] / width) if width else 0
            src, width = chosen[1], chosen[0]
        else:
            height = int(attributes.get("height") or 0)
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}">',
            src,
            width,
            height,
            attributes.get("alt", ""),
        )

    return _PICTURE.sub(replace, content)


class BylineRssFeed(XmlSafeFeed, Rss201rev2Feed):
    """RSS 2.0 with the full post in content:encoded and every author as dc:creator."""

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub"):
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": self.feed["hub"]})

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item["authors"]:
            handler.addQuickElement("dc:creator", name)
        handler.addQuickElement("content:encoded", item["content_html"])


class BylineAtomFeed(XmlSafeFeed, Atom1Feed):
    """Atom with the full post as <content> and one <author> per author."""

    def write(self, outfile, encoding):
        # Django's, with the stylesheets its RSS feeds name (its Atom feeds leave them out).
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        if self.feed.get("hub"):
            handler.addQuickElement("link", "", {"rel": "hub", "href": self.feed["hub"]})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", url)
            handler.endElement("author")
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


class LatestPostsFeed(Feed):
    feed_type = BylineRssFeed
    url_name = "blog:feed"
    title = settings.BYLINE_SITE_NAME
    description = settings.BYLINE_SITE_DESCRIPTION
    language = settings.LANGUAGE_CODE

    @classmethod
    def as_view(cls):
        """A view that builds a fresh feed for each request: the feed keeps the request, for
        absolute URLs, and one shared instance would mix concurrent requests up."""

        def view(request, *args, **kwargs):
            feed = cls()
            feed.request = request
            return feed(request, *args, **kwargs)

        return view

    def link(self, obj=None):
        return reverse("blog:post_list")

    def feed_url(self, obj=None):
        """With a WebSub hub, the self link is the address the hub is pinged with
        (blog/websub.py); without, Django's: the address asked for."""
        if not settings.BYLINE_WEBSUB_HUB:
            return None
        return websub.feed_url(self.url_name, getattr(obj, "slug", None))

    def feed_extra_kwargs(self, obj):
        return {"hub": settings.BYLINE_WEBSUB_HUB} if settings.BYLINE_WEBSUB_HUB else {}

    def stylesheets(self, obj=None):
        """/feed.xsl: a browser opening the feed shows it as a page (feed readers ignore it)."""
        return [Stylesheet(fixed_url("feed_stylesheet"), mimetype="text/xsl")]

    def subtitle(self, obj=None):
        return self.description(obj) if callable(self.description) else self.description

    def posts(self, obj):
        return Post.objects.published()

    def items(self, obj=None):
        # The rendered HTML and the bylines, tags and topics stored on the post (no prefetch);
        # not the Markdown source, the contents list or the search text.
        fields = (
            "uuid",
            "body_html",
            "updated_at",
            "stored_topics",
            "stored_faqs",
            "stored_references",
            "disclosure",
        )
        return (self.posts(obj).select_related("featured_image").only(*CARD_FIELDS, *fields))[
            :FEED_LENGTH
        ]

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        # Feed readers take an item's description as HTML (Atom says so: type="html"), and
        # these are plain text: "<img onerror=…>" typed as a description must stay text.
        return escape(post.description or post.excerpt)

    def item_guid(self, post):
        return f"urn:uuid:{post.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, post):
        return post.publish_at

    def item_updateddate(self, post):
        return max(post.updated_at, post.publish_at)

    def item_categories(self, post):
        return [tag["name"] for tag in post.stored_tags] + [
            topic["name"] for topic in post.stored_topics
        ]

    def item_extra_kwargs(self, post):
        origin = self.request.build_absolute_uri("/")[:-1]
        return {
            "content_html": _ROOT_RELATIVE.sub(rf'\1="{origin}/', item_content(post)),
            "authors": [
                (author["name"], self.request.build_absolute_uri(author["url"]))
                for author in post.stored_authors
            ],
        }


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = BylineAtomFeed
    url_name = "blog:feed_atom"


class TagFeed(LatestPostsFeed):
    url_name = "blog:tag_feed"

    def get_object(self, request, slug):
        return get_object_or_404(public_tags(), slug=slug)

    def title(self, tag):
        return f"{settings.BYLINE_SITE_NAME}: posts tagged “{tag.name}”"

    def description(self, tag):
        return f"The latest posts tagged “{tag.name}”."

    def link(self, tag):
        return reverse("blog:tag_detail", kwargs={"slug": tag.slug})

    def posts(self, tag):
        return Post.objects.under(tag=tag)


class TopicFeed(LatestPostsFeed):
    url_name = "blog:topic_feed"

    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return f"{settings.BYLINE_SITE_NAME}: {topic.name}"

    def description(self, topic):
        return topic.description or f"The latest posts about {topic.name}."

    def link(self, topic):
        return topic.get_absolute_url()

    def posts(self, topic):
        return Post.objects.under(topic=topic)


class AuthorFeed(LatestPostsFeed):
    url_name = "blog:author_feed"

    def get_object(self, request, slug):
        return get_object_or_404(public_authors(), slug=slug)

    def title(self, author):
        return f"{settings.BYLINE_SITE_NAME}: posts by {author.name}"

    def description(self, author):
        return f"The latest posts by {author.name}."

    def link(self, author):
        return author.get_absolute_url()

    def posts(self, author):
        return Post.objects.under(author=author)


class TagAtomFeed(TagFeed):
    feed_type = BylineAtomFeed
    url_name = "blog:tag_feed_atom"


class TopicAtomFeed(TopicFeed):
    feed_type = BylineAtomFeed
    url_name = "blog:topic_feed_atom"


class AuthorAtomFeed(AuthorFeed):
    feed_type = BylineAtomFeed
    url_name = "blog:author_feed_atom"


def feed_stylesheet(request):
    """The XSLT stylesheet every feed names: a browser that opens a feed shows it with this
    as a page of the site, saying what a feed is for (blog/security_headers.py)."""
    return TemplateResponse(
        request,
        "feeds/feed.xsl",
        {"language": settings.LANGUAGE_CODE},
        content_type="application/xslt+xml; charset=utf-8",
    )
