"""Reading a WordPress export (WXR) into ImportedPost values."""

import datetime as dt
from urllib.parse import unquote

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils import timezone
from django.utils.text import slugify

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
    """Parse a WXR file: (posts, counts of what was left out, problems per item)."""
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
            authors[login] = repair(fields.get(("wp", "author_display_name")) or login)

    items = channel.findall("item")
    attachments = {}
    for item in items:
        fields = _fields(item)
        if fields.get(("wp", "post_type")) == "attachment":
            attachments[fields.get(("wp", "post_id"))] = fields.get(("wp", "attachment_url"), "")

    alt_texts = attachment_alt_texts(items)
    site = (channel.findtext("link") or "").strip().rstrip("/")
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
        title = repair(item.findtext("title") or "").strip()
        if not title:
            problems.append(f"{label}: no title")
            continue
        meta = {
            child.findtext("{*}meta_key"): child.findtext("{*}meta_value")
            for child in item
            if _local(child.tag) == "postmeta"
        }
        categories = [
            (c.get("domain"), repair((c.text or "").strip())) for c in item.findall("category")
        ]
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
                body=repair(fields.get(("content", "encoded"), "")).strip(),
                description=repair(fields.get(("excerpt", "encoded"), ""))[:300],
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
                featured_image_alt=alt_texts.get(meta.get("_thumbnail_id"), ""),
                metadata={"wordpress_id": post_id, "wordpress_type": kind}
                | (
                    {"wordpress_link": link}
                    if (link := (item.findtext("link") or "").strip())
                    else {}
                ),
            )
        )
    return posts, left_out, problems
