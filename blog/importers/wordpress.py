"""Reading a WordPress export (WXR) into ImportedPost values."""

import dataclasses
import datetime as dt
import functools
import html
from urllib.parse import unquote

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from blog.importers import wp_content
from blog.importers.old_addresses import wordpress_addresses
from blog.importers.pool import ParsePool, in_order
from blog.importers.records import ImportedPost, ImportProblem
from blog.importers.text import repair
from blog.workflow import Status

# WordPress statuses, as Byline statuses; None means "not imported".
STATUSES = {
    "publish": Status.PUBLISHED,
    "future": Status.PUBLISHED,  # scheduled
    "draft": Status.DRAFT,
    "pending": Status.IN_REVIEW,
    "private": Status.DRAFT,
    "trash": None,
    "auto-draft": None,
    "inherit": None,
}


BASE_URLS = ("base_blog_url", "base_site_url")


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _kind(tag):
    """ "wp", "content", "excerpt", "dc" or "" for a namespaced tag, whatever the WXR version."""
    uri = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    if "wordpress.org/export" in uri:
        return "excerpt" if uri.rstrip("/").endswith("excerpt") else "wp"
    if uri.endswith("/content/"):
        return "content"
    if "purl.org/dc" in uri:
        return "dc"
    return ""


def _fields(element):
    """{(kind, local name): text} of an element's direct children (the first of each)."""
    fields = {}
    for child in element:
        fields.setdefault((_kind(child.tag), _local(child.tag)), (child.text or "").strip())
    return fields


def _when(text, local=False):
    """A WXR date: post_date_gmt is UTC, post_date is the site's own (taken as TIME_ZONE)."""
    if not text or text.startswith("0000"):
        return None
    try:
        moment = dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(moment) if local else moment.replace(tzinfo=dt.UTC)


def _text(value):
    """A name or title as WordPress stores it (entities and all: "Food &amp; Drink"), as text."""
    return html.unescape(repair(value or "")).strip()


def _excerpt(value):
    return " ".join(html.unescape(strip_tags(repair(value or ""))).split())


def _meta(item):
    return {
        child.findtext("{*}meta_key"): child.findtext("{*}meta_value")
        for child in item
        if _local(child.tag) == "postmeta"
    }


def attachment_alt_texts(items):
    """{attachment id: its alt text (the _wp_attachment_image_alt postmeta)}."""
    found = {}
    for item in items:
        fields = _fields(item)
        if fields.get(("wp", "post_type")) != "attachment":
            continue
        for child in item:
            if _local(child.tag) == "postmeta" and (
                child.findtext("{*}meta_key") == "_wp_attachment_image_alt"
            ):
                found[fields.get(("wp", "post_id"))] = repair(child.findtext("{*}meta_value") or "")
    return found


def read(raw, *, include_pages=False):
    """Parse a WXR file: (posts, counts of what was left out, problems per item). The posts'
    content becomes Markdown as they are iterated (see Posts)."""
    try:
        root = ElementTree.fromstring(raw)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise ImportProblem(f"this is not readable XML ({error})") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None or not any(_kind(c.tag) == "wp" for c in channel):
        raise ImportProblem("this XML is not a WordPress export (WXR)")

    authors = {}
    for element in channel:
        if _kind(element.tag) == "wp" and _local(element.tag) == "author":
            fields = _fields(element)
            login = fields.get(("wp", "author_login"), "")
            authors[login] = _text(fields.get(("wp", "author_display_name")) or login)

    items = channel.findall("item")
    attachments, media, reusable = {}, {}, {}
    for item in items:
        fields = _fields(item)
        if fields.get(("wp", "post_type")) == "attachment":
            attachments[fields.get(("wp", "post_id"))] = fields.get(("wp", "attachment_url"), "")
            media[fields.get(("wp", "post_id"))] = wp_content.Attachment(
                url=fields.get(("wp", "attachment_url"), ""),
                alt=_text(_meta(item).get("_wp_attachment_image_alt")),
                caption=_excerpt(fields.get(("excerpt", "encoded"))),
                parent=fields.get(("wp", "post_parent"), ""),
                order=int(fields.get(("wp", "menu_order"), "0") or 0),
            )
        elif fields.get(("wp", "post_type")) == "wp_block":  # a reusable block (a pattern)
            reusable[fields.get(("wp", "post_id"))] = fields.get(("content", "encoded"), "")

    alt_texts = attachment_alt_texts(items)
    site = (channel.findtext("link") or "").strip().rstrip("/")
    # The old site's addresses, to tell its permalinks from other sites' (old_addresses.py).
    site_urls = [site, *(_fields(channel).get(("wp", name), "") for name in BASE_URLS)]
    posts, left_out, problems = [], {"pages": 0, "comments": 0, "other": 0}, []
    for item in items:
        fields = _fields(item)
        kind = fields.get(("wp", "post_type"), "post")
        left_out["comments"] += sum(
            1 for child in item if _kind(child.tag) == "wp" and _local(child.tag) == "comment"
        )
        if kind == "attachment":
            continue
        if kind == "page" and not include_pages:
            left_out["pages"] += 1
            continue
        status = STATUSES.get(fields.get(("wp", "status"), "draft"), Status.DRAFT)
        if kind not in ("post", "page") or status is None:
            left_out["other"] += 1
            continue
        post_id = fields.get(("wp", "post_id"), "")
        label = f"item {post_id or '?'}"
        title = _text(item.findtext("title"))
        if not title:
            problems.append(f"{label}: no title")
            continue
        meta = _meta(item)
        categories = [(c.get("domain"), _text(c.text)) for c in item.findall("category")]
        posted = _when(fields.get(("wp", "post_date_gmt"))) or (
            _when(fields.get(("wp", "post_date")))
            and timezone.make_aware(_when(fields.get(("wp", "post_date"))).replace(tzinfo=None))
        )
        creator = fields.get(("dc", "creator"), "")
        guid = (item.findtext("guid") or "").strip()
        posts.append(
            ImportedPost(
                source_id=guid or (f"{site}/?p={post_id}" if post_id else f"{site}#{title}"),
                title=title,
                slug=(
                    slugify(unquote(fields.get(("wp", "post_name"), "")))
                    or slugify(title)
                    or f"post-{post_id}"
                )[:200],
                body=fields.get(("content", "encoded"), ""),  # HTML until converted
                description=_excerpt(fields.get(("excerpt", "encoded")))[:300],
                authors=[authors.get(creator, creator)] if creator else [],
                tags=[name for domain, name in categories if domain == "post_tag" and name],
                topics=[
                    name
                    for domain, name in categories
                    if domain == "category" and name and name.lower() != "uncategorized"
                ],
                publish_at=posted,
                status=status,
                featured_image=attachments.get(meta.get("_thumbnail_id"), ""),
                # Pages are flat here, each at /<its slug>/: a parent is kept in the metadata only.
                kind=kind,
                featured_image_alt=alt_texts.get(meta.get("_thumbnail_id"), ""),
                metadata={"wordpress_id": post_id, "wordpress_type": kind}
                | (
                    {"wordpress_parent": parent}
                    if kind == "page" and (parent := fields.get(("wp", "post_parent"), "0")) != "0"
                    else {}
                )
                | (
                    {"wordpress_link": link}
                    if (link := (item.findtext("link") or "").strip())
                    else {}
                ),
                old_addresses=wordpress_addresses(site_urls, link, guid, post_id, kind),
            )
        )
    return Posts(posts, media, reusable), left_out, problems


class Posts:
    """An export's posts, their content still WordPress's HTML: iterating converts each to
    Markdown (wp_content), here or, through converted(workers), in other processes that also
    render it (saving.prepare) while the caller saves the posts before. A post whose content
    cannot be converted fails alone, when saved, with the reason."""

    def __init__(self, posts, attachments, reusable):
        self.posts, self.attachments, self.reusable = posts, attachments, reusable

    def __len__(self):
        return len(self.posts)

    def __iter__(self):
        return self.converted()

    def converted(self, workers=0):
        if workers < 1:
            for item in self.posts:
                yield _with_markdown(item, _convert(item, self.attachments, self.reusable))
            return
        from blog.affiliates import current_rules

        # Each worker is given once what every post needs; each task sends one post.
        shared = (self.attachments, self.reusable, current_rules())

        def submit(converters, item):
            task = ImportedPost(source_id="", title="", slug=item.slug, body=item.body)
            task.metadata = {"wordpress_id": item.metadata.get("wordpress_id", "")}
            return converters.submit(task)

        converters = ParsePool(
            workers,
            "wordpress",
            setup=("wordpress-setup", *shared),
            here=functools.partial(convert_and_render, shared=shared),
        )
        for item, outcome in in_order(converters, self.posts, submit):
            yield _with_markdown(item, outcome)


_SHARED = None  # (attachments, reusable blocks, affiliate rules), in a worker


def share(attachments, reusable, rules):
    """In a worker: what convert_and_render() needs for every post, given once."""
    global _SHARED
    _SHARED = (attachments, reusable, rules)


def _convert(item, attachments, reusable):
    """(Markdown, what the conversion did as a dict, None), or the problem it ran into."""
    try:
        body, conversion = wp_content.to_markdown(
            repair(item.body),
            post_id=item.metadata.get("wordpress_id", ""),
            attachments=attachments,
            reusable=reusable,
        )
    except Exception as problem:  # one post's content must not stop the others
        return ImportProblem(f"its content could not be converted to Markdown ({problem!r})")
    return body, dataclasses.asdict(conversion), None


def convert_and_render(task, shared=None):
    """The post's content converted, and rendered (see saving.prepare), given `shared` (what
    share() gives a worker)."""
    from blog.importers.saving import prepare  # saving needs the models; reading does not

    attachments, reusable, rules = shared or _SHARED
    outcome = _convert(task, attachments, reusable)
    if isinstance(outcome, Exception):
        return outcome
    task.body = outcome[0]
    return outcome[0], outcome[1], prepare(task, rules).derived


def _with_markdown(item, outcome):
    if isinstance(outcome, Exception):
        item.derived = (item.body, outcome)  # saving raises it for this post alone
        return item
    item.body, item.conversion, derived = outcome
    item.derived = derived
    return item
