"""Revisions of a post: what a snapshot holds, restoring one, and a readable diff of two."""

import difflib

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

# What a revision keeps, in the order a diff shows it.
FIELDS = [
    ("title", "Title"),
    ("slug", "Slug"),
    ("description", "Description"),
    ("body", "Body"),
    ("tags", "Tags"),
    ("topics", "Topics"),
    ("authors", "Authors"),
    ("faqs", "FAQs"),
    ("references", "References"),
    ("status", "Status"),
    ("publish_at", "Publish time"),
]


def snapshot(post):
    """The post as it is in the database now, with its tags, FAQs and references."""
    return {
        "title": post.title,
        "slug": post.slug,
        "description": post.description,
        "body": post.body,
        "status": post.status,
        "publish_at": post.publish_at.isoformat(),
        "tags": sorted(post.tags.names()),
        "topics": sorted(post.topics.values_list("slug", flat=True)),
        "authors": list(
            post.postauthor_set.order_by("order", "pk").values_list("author__username", flat=True)
        ),
        "faqs": [
            {"question": q, "answer": a}
            for q, a in post.faqs.order_by("order", "pk").values_list("question", "answer")
        ],
        "references": [
            {"title": t, "publisher": p, "year": y, "url": u}
            for t, p, y, u in post.references.order_by("order", "pk").values_list(
                "title", "publisher", "year", "url"
            )
        ],
    }


def restore(post, data, by):
    """Put a revision's content back: text, tags, topics, FAQs and references.

    The status and publish time stay as they are: restoring old words never publishes or
    unpublishes anything. Raises ValidationError, changing nothing, when the old slug is no
    longer free for `by` to take (see Post.check_slug).
    """
    from blog.models import FAQ, Reference, Topic

    for field in ("title", "slug", "description", "body"):
        setattr(post, field, data[field])
    post.check_slug(by)
    post.save()
    post.tags.set(data["tags"], clear=True)
    post.topics.set(Topic.objects.filter(slug__in=data["topics"]))
    post.faqs.all().delete()
    for order, faq in enumerate(data["faqs"], start=1):
        FAQ.objects.create(post=post, order=order, **faq)
    post.references.all().delete()
    Reference.objects.bulk_create(
        Reference(post=post, order=order, **reference)
        for order, reference in enumerate(data["references"], start=1)
    )


def _lines(value):
    if isinstance(value, list):
        return [
            " · ".join(str(v) for v in item.values() if v not in (None, ""))
            if isinstance(item, dict)
            else str(item)
            for item in value
        ]
    return str(value or "").splitlines()


def diff_rows(old, new, context=2):
    """[(label, html)] for each field that differs: removed lines in <del>, added in <ins>,
    with a little unchanged context; long unchanged stretches are elided."""
    rows = []
    for field, label in FIELDS:
        before, after = _lines(old.get(field)), _lines(new.get(field))
        if before == after:
            continue
        lines = []
        diff = difflib.unified_diff(before, after, n=context, lineterm="")
        for line in list(diff)[2:]:  # skip the ---/+++ file headers
            tag, text = line[:1], line[1:] or " "
            if tag == "@":
                lines.append(mark_safe('<span class="diff__gap">…</span>'))
            elif tag == "-":
                lines.append(format_html('<del class="diff__del">{}</del>', text))
            elif tag == "+":
                lines.append(format_html('<ins class="diff__ins">{}</ins>', text))
            else:
                lines.append(format_html('<span class="diff__same">{}</span>', text))
        rows.append((label, format_html_join("", "{}", ((line,) for line in lines))))
    return rows
