"""Reader search: turning what someone typed into terms, and showing where they matched."""

import html
import re

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
# At most twice this many results are ranked and counted for a search (Post.objects.search).
SEARCH_CANDIDATES = 1000
SNIPPET_LENGTH = 220
_TERM = re.compile(r"\w+", re.UNICODE)
# A tag of sanitised HTML, quoted attribute values (which may hold ">") included.
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_SPACE = re.compile(r"\s+")


def search_terms(query):
    """The words of a query, at most a handful; punctuation and symbols are not searchable."""
    return _TERM.findall(query[:MAX_QUERY_LENGTH])[:12]


def _term_pattern(terms):
    # Match words that start like a term, so "gardens" finds "garden" as stemming would.
    stems = sorted({term[: max(4, len(term) - 2)].lower() for term in terms}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(stem) for stem in stems) + r")\w*", re.I)


def searchable_text(rendered_html):
    """A post's rendered, sanitised HTML as the plain text snippets are cut from: what
    rendering.plain_text() gives, about twenty times faster (a page of results needs twenty)."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", rendered_html))).strip()


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


class SearchPaginator(Paginator):
    """Pages of Post.objects.search() results, which carry their own count (`search_total`):
    a page is one query, not a COUNT and then the rows. A page past the last is EmptyPage."""

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        self.count = rows[0].search_total if rows else 0  # instead of the COUNT query
        return self._get_page(rows, number, self)
