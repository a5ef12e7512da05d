"""Reader search: turning what someone typed into terms, and showing where they matched."""

import html
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from blog.workflow import Kind, Status

MAX_QUERY_LENGTH = 200
# At most twice this many results are ranked and counted for a search (Post.objects.search).
SEARCH_CANDIDATES = 500
# The newest posts are searched in slices this many posts deep (and the rest), newest first,
# until SEARCH_CANDIDATES are found: a common word stops in the first slice.
SEARCH_SLICES = (1000, 4000, 16000)
SNIPPET_LENGTH = 220
_TERM = re.compile(r"\w+", re.UNICODE)
# A tag of sanitised HTML, quoted attribute values (which may hold ">") included.
_TAG = re.compile(r"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
_SPACE = re.compile(r"\s+")


def search_terms(query):
    """The words of a query, at most a handful; punctuation and symbols are not searchable."""
    return _TERM.findall(query[:MAX_QUERY_LENGTH])[:12]


def _term_pattern(terms):
    # Match words that start like a term, so "gardens" finds "garden" as stemming would.
    stems = sorted({term[: max(4, len(term) - 2)].lower() for term in terms}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(stem) for stem in stems) + r")\w*", re.I)


def newest_matching_sql(table, matches, now, text, limit, slices=None):
    """(sql, params) for the ids of the newest `limit` posts of `table` visible at `now` (as
    PostQuerySet.published() has it) for each of `matches` (SQL conditions over the post's row
    with one %s, for `text`), together.

    A GIN index gives every matching row at once, in no order: finding the newest of 70,000
    matches means reading all 70,000 rows, and walking the posts by date instead means
    reading each one's whole search vector (kilobytes, stored out of line) to test it. So the
    posts are cut by publish time into slices, newest first (the 1,000 newest, the next 3,000,
    the next 12,000, the rest); in each, the GIN index's matches are ANDed with the slice's
    range of the publish-time index, so only matching rows of that slice are read, and a slice
    is read only when the newer ones held fewer than `limit` matches. The costly-looking
    function around each vector (SEARCH_DOCUMENT) keeps the planner from testing rows one by
    one instead.
    """
    slices = slices or SEARCH_SLICES
    # As published() has it: public posts (not pages).
    visible = f"status = '{Status.PUBLISHED}' AND publish_at <= %s AND kind = '{Kind.POST}'"
    edges = ", ".join(
        f"(SELECT publish_at FROM {table} WHERE {visible} ORDER BY publish_at DESC "
        f"OFFSET {depth} LIMIT 1) AS edge{number}"
        for number, depth in enumerate(slices)
    )
    newer = ["TRUE"] + [f"publish_at <= (SELECT edge{n} FROM edges)" for n in range(len(slices))]
    older = [
        f"publish_at > COALESCE((SELECT edge{n} FROM edges), '-infinity')"
        for n in range(len(slices))
    ] + ["TRUE"]
    tiers, params = [], [now] * len(slices)
    for match in matches:
        parts = [
            f"(SELECT id FROM {table} WHERE {visible} AND {match} AND {upper} AND {lower} "
            f"ORDER BY publish_at DESC, id DESC LIMIT {int(limit)})"
            for upper, lower in zip(newer, older, strict=True)
        ]
        tiers.append(f"(SELECT id FROM ({' UNION ALL '.join(parts)}) AS newest LIMIT {int(limit)})")
        params += [now, text] * len(parts)
    return f"WITH edges AS (SELECT {edges}) {' UNION '.join(tiers)}", params


def searchable_text(rendered_html):
    """A post's rendered, sanitised HTML as the plain text snippets are cut from: what
    rendering.plain_text() gives (the same for every demo body), about four times faster
    than its HTML parser: 0.6 ms against 2.5 ms a post, and a page of results has twenty."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", rendered_html))).strip()


def snippet(text, terms):
    """A short, HTML-escaped excerpt of `text` around the first match, matches in <mark>."""
    if not text:
        return ""
    if not terms:
        return escape(text[:SNIPPET_LENGTH])
    pattern = _term_pattern(terms)
    match = pattern.search(text)
    start = max(0, match.start() - SNIPPET_LENGTH // 3) if match else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + SNIPPET_LENGTH
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    excerpt = text[start:end]
    pieces, position = [], 0
    for found in pattern.finditer(excerpt):
        pieces.append(escape(excerpt[position : found.start()]))
        pieces.append(f"<mark>{escape(found.group(0))}</mark>")
        position = found.end()
    pieces.append(escape(excerpt[position:]))
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # every piece of text is escaped above
