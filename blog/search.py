"""Reader search: turning what someone typed into terms, and showing where they matched."""

import re
from datetime import UTC, datetime
from functools import lru_cache
from html import escape  # as django.utils.html.escape, without making each piece a SafeString

from django.db import connections, router
from django.utils.safestring import mark_safe

from blog.memo import VersionMemo
from blog.rendering import plain_lines, plain_text
from blog.workflow import Kind, Status

MAX_QUERY_LENGTH = 200
# At most twice this many results are ranked and counted for a search (models.cards.SearchCards):
# ten pages. What a search costs PostgreSQL grows with it: at 500, 8 ms a search under load
# at 10,000 posts, against 5 ms at 200.
SEARCH_CANDIDATES = 200
# The newest posts are searched in slices this many posts deep (and the rest), newest first,
# until SEARCH_CANDIDATES are found: a common word stops in the first slice.
SEARCH_SLICES = (1000, 4000, 16000)
SNIPPET_LENGTH = 220
MIN_TIME = datetime.min.replace(tzinfo=UTC)
_TERM = re.compile(r"\w+", re.UNICODE)


def search_terms(query):
    """The words of a query, at most a handful; punctuation and symbols are not searchable."""
    return _TERM.findall(query[:MAX_QUERY_LENGTH])[:12]


def _term_pattern(terms):
    # Match words that start like a term, so "gardens" finds "garden" as stemming would.
    return _matching(tuple(terms))[2]


def _word_spans(text, terms):
    """(start, end) of each word of `text` that _term_pattern(terms) finds, in order: the same
    spans as its finditer(), found faster where that is sure to give the same answer (4.7
    against 7.1 µs on a snippet's 220 characters). That pattern, case-blind and starting with
    \\b, is tried at every position of the text; here, for words in ASCII (see first_match()),
    the text is lower-cased and a case-sensitive pattern with no \\b finds where the stems
    stand, and the matches inside a word are dropped. Such a match runs to its word's end, so
    it never hides one that is not."""
    _, needles, pattern, lowered_pattern = _matching(tuple(terms))
    if needles is not None and not any(c in text for c in _FOLDED_TO_ASCII):
        lowered = text.lower()
        if len(lowered) == len(text):  # each character one character still: the same places
            return [
                found.span()
                for found in lowered_pattern.finditer(lowered)
                if not found.start() or not _is_word_character(lowered[found.start() - 1])
            ]
    return [found.span() for found in pattern.finditer(text)]


def _is_word_character(character):
    """Whether `character` is one that \\w matches (in a str pattern)."""
    return character.isalnum() or character == "_"


@lru_cache(maxsize=64)  # a page's twenty snippets, and a few pages at once
def _matching(terms):
    """(stems, needles, pattern, lowered) of `terms`: their stems, lower-cased; those as UTF-8
    bytes for first_match() when all are ASCII, else None; _term_pattern(); and, for
    _word_spans(), the words starting as a stem does, anywhere, case-sensitively."""
    stems = frozenset(_stem(term).lower() for term in terms)
    needles = tuple(stem.encode() for stem in stems) if all(map(str.isascii, stems)) else None
    longest_first = "|".join(map(re.escape, sorted(stems, key=len, reverse=True)))
    pattern = re.compile(r"\b(" + longest_first + r")\w*", re.I)
    return stems, needles, pattern, re.compile(r"(?:" + longest_first + r")\w*")


@lru_cache(maxsize=16)
def newest_matching_sql(table, match, limit, slice_count, columns="id", key="id"):
    """SQL for the `columns` of the newest `limit` posts of `table` visible at `%(now)s` (as
    PostQuerySet.published() has it, over the table's status, kind and publish time; `key` is
    its post's id) that meet `match` (an SQL condition over its row), read in `slice_count` + 1
    slices whose edges are `%(edge_1)s`, `%(edge_2)s`… (slice_params()).

    A GIN index gives every matching row at once, in no order: finding the newest of 70,000
    matches means reading all 70,000 rows, and walking the posts by date instead means
    reading each one's whole search vector (kilobytes, stored out of line) to test it. So the
    posts are cut by publish time into slices, newest first (the 1,000 newest, the next 3,000,
    the next 12,000, the rest); in each, the GIN index's matches are ANDed with the slice's
    range of the publish-time index, so only matching rows of that slice are read, and a slice
    is read only when the newer ones held fewer than `limit` matches. The costly-looking
    function around each vector (SEARCH_DOCUMENT) keeps the planner from testing rows one by
    one instead. Where the slices start is read once per content version (slice_edges()): it
    means walking 16,000 entries of an index.

    Only where a slice starts is read through the publish-time index; the upper bounds (now,
    and where the newer slice starts) are tested on the rows found, written so that no index
    takes them (`+ interval '0'`). With both edges on the index, the plan PostgreSQL makes once
    for every search (whose edges it cannot see) takes a slice for 0.5% of the posts and reads
    its range of that index before the GIN index, every time; so a word no title holds still
    read 10,000 index entries at 10,000 posts. With a lower edge alone it takes a third, reads
    the GIN index first, and stops there when that finds nothing: 0.3 ms less PostgreSQL CPU
    per search over the bench's 40 words (2.0 ms).
    """
    # As published() has it: public posts (not pages); the upper bound kept off the indexes.
    visible = (
        f"status = '{Status.PUBLISHED}' AND publish_at + interval '0' <= %(now)s "
        f"AND kind = '{Kind.POST}'"
    )
    edges = [f"%(edge_{number})s" for number in range(1, slice_count + 1)]
    newer = ["TRUE", *(f"publish_at + interval '0' <= {edge}" for edge in edges)]
    older = [*(f"publish_at > {edge}" for edge in edges), "TRUE"]
    parts = [
        f"(SELECT {columns} FROM {table} WHERE {visible} AND {match} AND {upper} AND "
        f"{lower} ORDER BY publish_at DESC, {key} DESC LIMIT {int(limit)})"
        for upper, lower in zip(newer, older, strict=True)
    ]
    return f"SELECT * FROM ({' UNION ALL '.join(parts)}) AS newest LIMIT {int(limit)}"


def slice_params(table, now, slices):
    """The parameters of newest_matching_sql() at `now`: {"now": now, "edge_1": …}."""
    edges = slice_edges(table, now, slices)
    return {"now": now, **{f"edge_{n}": edge for n, edge in enumerate(edges, start=1)}}


# Per (table, slices): where the slices start, for the content version (a post going live or
# away moves them).
_edges = VersionMemo(per="version", kept=8)


def slice_edges(table, now, slices):
    """The publish time of the post `depth` deep in publish order, for each depth in `slices`
    (-infinity past the last post): where each slice of newest_matching_sql() starts."""

    def read(key):
        visible = f"status = '{Status.PUBLISHED}' AND publish_at <= %s AND kind = '{Kind.POST}'"
        columns = ", ".join(
            f"(SELECT publish_at FROM {table} WHERE {visible} ORDER BY publish_at DESC "
            f"OFFSET {int(depth)} LIMIT 1)"
            for depth in slices
        )
        from blog.models import Post

        with connections[router.db_for_read(Post)].cursor() as cursor:  # a replica, maybe
            cursor.execute(f"SELECT {columns}", [now] * len(slices))
            found = cursor.fetchone()
        return tuple(edge or MIN_TIME for edge in found)

    return _edges.get((table, tuple(slices)), read)


# How much of a body's HTML before and after the first match body_snippet() reads at least
# (the lines around it): the snippet's text and the markup between its words.
SNIPPET_BEFORE = SNIPPET_LENGTH
SNIPPET_AFTER = 2 * SNIPPET_LENGTH


def _stem(term):
    """The start of `term` a matching word starts with, as stemming would have it."""
    return term[: max(4, len(term) - 2)]


# The letters other than A-Z that a case-blind pattern takes for ASCII ones: İ ı ſ K.
_FOLDED_TO_ASCII = "\u0130\u0131\u017f\u212a"
# How many times first_match() finds a word's stem inside other words before it leaves the
# text to the pattern, which skips a whole word at once.
MAX_INSIDE_WORDS = 100


def first_match(text, terms):
    """Where in `text` the first word that _term_pattern(terms) matches starts, or -1: the
    same answer as its search(). That pattern, case-blind, tries every position of a body of
    tens of kilobytes, and lower-casing a text that is not all ASCII is nearly as slow; for
    words in ASCII, as nearly all are, the text is lower-cased as UTF-8 bytes (ASCII letters
    only, which is all such a word can match but for the four letters above) and searched
    with bytes.find, twenty times faster."""
    _, needles, _, _ = _matching(tuple(terms))
    ascii = text.isascii()
    if needles is None or (not ascii and any(c in text for c in _FOLDED_TO_ASCII)):
        return _pattern_match(text, terms)
    raw = text.encode()
    lowered = raw.lower()
    first = -1
    for needle in needles:
        inside = 0
        at = lowered.find(needle)
        while at > 0 and _in_word_before(raw, at):
            inside += 1
            if inside > MAX_INSIDE_WORDS:  # a text made to be slow: the pattern's pace
                return _pattern_match(text, terms)
            at = lowered.find(needle, at + 1)
        if at != -1 and (first == -1 or at < first):
            first = at
    return first if first <= 0 or ascii else len(raw[:first].decode())


def _pattern_match(text, terms):
    found = _term_pattern(terms).search(text)
    return found.start() if found else -1


def _in_word_before(raw, at):
    """Whether the character before byte `at` of UTF-8 `raw` is part of a word (as \\b has
    it: a letter, a digit or an underscore)."""
    begin = at - 1
    while begin > 0 and raw[begin] & 0xC0 == 0x80:  # back to where that character starts
        begin -= 1
    before = raw[begin:at].decode()
    return before.isalnum() or before == "_"


def body_snippet(rendered_html, terms):
    """snippet(plain_text(rendered_html), terms), the same text, read from the lines of
    HTML around the first match only (or the first lines, when the words matched elsewhere:
    the title, tags or FAQs): a body is tens of kilobytes, and making the whole of each of a
    page's twenty results plain text was most of a search's time. The rendered HTML has a
    line per block, so cutting at line ends never cuts a tag; when the first match is not in
    the text (say it was in a link's address) or the lines cut hold too little text around it,
    the whole body is read."""
    at = first_match(rendered_html, terms) if terms else -1
    matched = at != -1
    start = rendered_html.rfind("\n", 0, max(0, at - SNIPPET_BEFORE)) + 1 if matched else 0
    end = rendered_html.find("\n", max(at, 0) + SNIPPET_AFTER)
    end = len(rendered_html) if end == -1 else end
    text = plain_text(rendered_html[start:end])
    found = first_match(text, terms) if terms else -1
    cut_after = end < len(rendered_html)
    if not matched:
        # The snippet is the text's start, which these lines hold if they hold more than it.
        if found == -1 and (not cut_after or len(text) > SNIPPET_LENGTH):
            return snippet(text, terms, cut_after=cut_after)
        return snippet(plain_text(rendered_html), terms)
    if (
        found == -1
        or (start and found <= SNIPPET_LENGTH // 2)
        or (start and len(text) <= SNIPPET_LENGTH)  # the snippet may begin before these lines
        or (cut_after and len(text) - found <= SNIPPET_LENGTH)
    ):
        return snippet(plain_text(rendered_html), terms)
    return snippet(text, terms, cut_before=bool(start), cut_after=cut_after)


# PostgreSQL keeps a body for search's snippets in passages (blog/models/passages.py): its
# blocks, each a line of the rendered HTML, joined until a passage holds PASSAGE_LENGTH
# characters of text; a block longer than LONGEST_PASSAGE (a long paragraph, a table) is cut at
# spaces. A result's snippet is read from the first passage where one of its words starts (six
# hundred characters or so) instead of from the whole body.
PASSAGE_LENGTH = 600
LONGEST_PASSAGE = 3 * PASSAGE_LENGTH


def passages(rendered_html):
    """The text of a rendered body (as plain_text() makes it) in passages of whole blocks."""
    found, current = [], ""
    for text in plain_lines(rendered_html):
        if text:
            current = f"{current} {text}" if current else text
        if len(current) >= PASSAGE_LENGTH:
            found.extend(_cut_long(current))
            current = ""
    if current:  # the last blocks: a passage, or the end of the one before if they are short
        if found and len(current) < PASSAGE_LENGTH // 2:
            current = f"{found.pop()} {current}"
        found.extend(_cut_long(current))
    return found


def passage_pattern(terms):
    """A PostgreSQL regular expression (for `~*`, case-blind) that finds in a passage a word
    starting as one of `terms` does: the words snippet() marks (see _term_pattern)."""
    # As typed, not lower-cased: Python lower-cases İ to two characters, PostgreSQL to one.
    stems = sorted({_stem(term) for term in terms}, key=len, reverse=True)
    if not all(_TERM.fullmatch(stem) for stem in stems):  # no character the syntax reads
        raise ValueError(f"Not words: {terms}")
    return r"\m(" + "|".join(stems) + ")"


def _cut_long(text):
    """`text` in pieces no longer than LONGEST_PASSAGE, cut at spaces (about PASSAGE_LENGTH
    each; a word longer than that is cut where it must be)."""
    pieces = []
    while len(text) > LONGEST_PASSAGE:
        cut = text.rfind(" ", PASSAGE_LENGTH, 2 * PASSAGE_LENGTH)
        cut = cut if cut != -1 else 2 * PASSAGE_LENGTH
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def snippet(text, terms, cut_before=False, cut_after=False):
    """A short, HTML-escaped excerpt of `text` around the first match, matches in <mark>;
    `text` may be cut from a longer one (`cut_before`, `cut_after`: marked as cut there). A
    match near the end of `text` is shown with as much text before it as the snippet holds."""
    if not text:
        return ""
    if not terms:
        return mark_safe(escape(text[:SNIPPET_LENGTH]))
    found = first_match(text, terms)
    start = max(0, min(found - SNIPPET_LENGTH // 3, len(text) - SNIPPET_LENGTH))
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + SNIPPET_LENGTH
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    excerpt = text[start:end]
    pieces, position = [], 0
    for start_at, end_at in _word_spans(excerpt, terms):
        pieces.append(escape(excerpt[position:start_at]))
        pieces.append(f"<mark>{escape(excerpt[start_at:end_at])}</mark>")
        position = end_at
    pieces.append(escape(excerpt[position:]))
    prefix = "… " if start or cut_before else ""
    suffix = " …" if end < len(text) or cut_after else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # every piece of text is escaped above
