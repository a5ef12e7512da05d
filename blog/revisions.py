"""Presenting revisions: a readable diff of two versions of a post's content (see
Post.content for what a revision holds)."""

import difflib

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

# What a revision keeps, in the order a diff shows it.
FIELDS = [
    ("title", "Title"),
    ("seo_title", "SEO title"),
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
