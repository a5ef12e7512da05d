"""The cards of public lists (the home page; a tag's, topic's or author's page) and of search
results, read a page at a time by one hand-written query.

A list page reads only stored cards (blog/fragments.py), so its query is all it does besides
the frame; built through the ORM (filters, joins, compiling, named rows) that query took 0.8 ms
of CPU, more than PostgreSQL took to answer it (0.55 ms on a tag of 10,000 posts) and a
third of the page. The SQL is the ORM's own, written once. Search's is written here (see
SearchCards).
"""

from collections import namedtuple
from functools import lru_cache

from django.db import connections, router
from django.db.models import Count, Q, Window
from django.utils import timezone

from blog import search  # SEARCH_CANDIDATES and SEARCH_SLICES, read when a search runs
from blog.search import (
    body_snippet,
    newest_matching_sql,
    passage_pattern,
    search_terms,
    slice_params,
    snippet,
)
from blog.workflow import Kind, Status

CardRow = namedtuple("CardRow", ["pk", "card_html", "fragments_version"])
# A search result: its card, the words that matched as they stand in its text (safe HTML, see
# search.snippet) and how many results there are.
SearchRow = namedtuple(
    "SearchRow", ["pk", "card_html", "fragments_version", "snippet", "search_total"]
)

# Public posts newest first, along post_visible_idx (status, publish time); pages are few, so
# leaving them out costs a filter, not another index.
LATEST_SQL = """
SELECT p.id, p.card_html, p.fragments_version FROM {post} p
WHERE p.status = %s AND p.publish_at <= %s AND p.kind = %s
ORDER BY p.publish_at DESC, p.id DESC
"""
# Public posts under one tag, topic or author, newest first, along that scope's listing index
# (the post's own status, time and kind checked too: see stored.public_under).
UNDER_SQL = """
SELECT p.id, p.card_html, p.fragments_version FROM {listing} l
JOIN {post} p ON p.id = l.post_id
WHERE l.{scope}_id = %s AND l.publish_at <= %s AND p.status = %s AND p.publish_at <= %s
AND p.kind = %s
ORDER BY l.publish_at DESC, l.post_id DESC
"""
SCOPES = ("tag", "topic", "author")
# A page of search results: the candidates (search_sql(): public posts only, found in their
# search entries) ranked, best first, each with the number of candidates and the first passage of
# its body (blog/models/passages.py) where one of the words starts, or its first. Each
# candidate's rank vector is read where the candidate is found, so of the posts themselves only
# the page's are read.
SEARCH_SQL = """
SELECT p.id, p.card_html, p.fragments_version, passage.text, passage.number, passage.last,
    found.total
FROM (
    SELECT id, publish_at, rank, COUNT(*) OVER () AS total
    FROM (
        SELECT DISTINCT ON (id) id, publish_at, {rank} AS rank
        FROM ({candidates}) AS candidates
        ORDER BY id
    ) AS ranked
    ORDER BY rank DESC, publish_at DESC, id DESC
    LIMIT %(limit)s OFFSET %(offset)s
) AS found
JOIN {post} p ON p.id = found.id
LEFT JOIN LATERAL (
    (SELECT text, number, last FROM {passage}
    WHERE post_id = found.id AND {any_word} ORDER BY number LIMIT 1)
    UNION ALL
    (SELECT text, number, last FROM {passage} WHERE post_id = found.id AND number = 0)
    LIMIT 1
) AS passage ON TRUE
ORDER BY found.rank DESC, found.publish_at DESC, found.id DESC
"""


class PublicCards:
    """The card rows (CardRow, as PostQuerySet.for_listing() gives them) of every public post,
    or of those under one scope (`tag=…`, `topic=…` or `author=…`: an instance or an id),
    newest first; a slice is one query, which is all a paginator asks of it (and count(),
    for `?page=last`)."""

    def __init__(self, **scope):
        from blog.models import Listing, Post

        tables = {"post": Post._meta.db_table, "listing": Listing._meta.db_table}
        self.database = router.db_for_read(Post)  # a replica, where reads go to one
        if not scope:
            self.sql, self.scope_id = LATEST_SQL.format(**tables), None
            return
        ((name, value),) = scope.items()
        if name not in SCOPES:
            raise ValueError(f"{name!r} is not one of {SCOPES}")
        self.sql = UNDER_SQL.format(scope=name, **tables)
        self.scope_id = getattr(value, "pk", value)

    def _params(self):
        now = connections[self.database].ops.adapt_datetimefield_value(timezone.now())
        if self.scope_id is None:
            return [Status.PUBLISHED, now, Kind.POST]
        return [self.scope_id, now, Status.PUBLISHED, now, Kind.POST]

    def __getitem__(self, window):
        if not isinstance(window, slice) or window.step is not None or window.start is None:
            raise TypeError("PublicCards reads slices [start:stop] only")
        with connections[self.database].cursor() as cursor:
            cursor.execute(
                f"{self.sql} LIMIT %s OFFSET %s",
                [*self._params(), window.stop - window.start, window.start],
            )
            return [CardRow(*row) for row in cursor.fetchall()]

    def count(self):
        with connections[self.database].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({self.sql}) AS cards", self._params())
            return cursor.fetchone()[0]


# The candidates of a search: the posts whose title, description or tags match, and, unless
# those fill the bound, the posts whose text matches anywhere (see search_sql()).
CANDIDATES_SQL = """
WITH titled AS ({titled})
SELECT * FROM titled
UNION ALL
SELECT * FROM ({anywhere}) AS anywhere WHERE (SELECT count(*) FROM titled) < {limit}
"""


@lru_cache(maxsize=8)
def search_sql(limit, slice_count):
    """The SQL of a PostgreSQL search (SearchCards.statement() gives its parameters): the
    newest `limit` public posts matching `%(words)s` in their title, description or tags and,
    only when there are fewer of those, the newest `limit` matching anywhere
    (search.newest_matching_sql(), in `slice_count` + 1 slices), found in their search entries
    (blog/models/search_entries.py); ranked, best first, a page of them (`%(limit)s`,
    `%(offset)s`) with their cards and passages.

    Those found in their text alone rank below every title, description or tag match, so when
    such matches fill the bound, no page would show them: reading them was 40% of what
    PostgreSQL spent on a search for such a word. Each parameter is named once and sent once,
    however often the statement reads it."""
    from blog.models import Passage, Post, SearchEntry
    from blog.models.post import SEARCH_CONFIG, SEARCH_DOCUMENT

    table = SearchEntry._meta.db_table
    tsquery = f"websearch_to_tsquery('{SEARCH_CONFIG}', %(words)s)"
    titled, anywhere = (
        newest_matching_sql(
            table,
            f"{SEARCH_DOCUMENT}({vector}) @@ {tsquery}",
            limit,
            slice_count,
            columns="post_id AS id, publish_at, search_rank_vector",
            key="post_id",
        )
        for vector in ("search_rank_vector", "search_vector")
    )
    return SEARCH_SQL.format(
        post=Post._meta.db_table,
        passage=Passage._meta.db_table,
        candidates=CANDIDATES_SQL.format(titled=titled, anywhere=anywhere, limit=int(limit)),
        # Ranked against a subquery, so that PostgreSQL parses the words once (an InitPlan),
        # not once for each candidate it ranks: the prepared statement's generic plan does not
        # fold the bare call into a constant. 2.06 to 1.78 ms of PostgreSQL a search (40
        # words, one at a time). Only here: where candidates are found the bare call lets
        # each custom plan see the words, so that PostgreSQL keeps choosing the generic plan
        # (with the words in a subquery there too, it planned every search afresh at 100,000
        # posts, 1.7 ms each).
        rank=f"ts_rank(search_rank_vector, (SELECT {tsquery}))",
        any_word="text ~* %(pattern)s",  # where one of the words starts: passage_pattern()
    )


class SearchCards:
    """The public posts matching what a reader typed, best first, as SearchRow (with how many
    results there are, so a page of them needs no COUNT query of its own); a slice is one
    query.

    PostgreSQL finds matches anywhere in the weighted full-text vector and ranks by title (A)
    above description and tags (B), then newest first; the body and FAQs (C) count for
    matching but not for the order; the candidates are found and ranked in the posts' search
    entries (blog/models/search_entries.py), a narrow table of their vectors, not in the
    posts' wide rows. However common the words, only a bounded set is ranked and counted: the
    newest SEARCH_CANDIDATES posts matching in title, description or tags, and, when those are
    fewer, the newest SEARCH_CANDIDATES matching anywhere (search_sql(); see
    search.newest_matching_sql for how they are found without reading every match). The query
    is written here, not built by the ORM: building and compiling it was 1.8 ms of CPU a
    search, a third of what PostgreSQL spent answering it. Each result's snippet comes from the
    first passage of its body where one of the words starts (blog/models/passages.py), not from
    its whole body.

    Elsewhere (SQLite) every word must appear in one of those fields, newest first, and the
    snippet is read from the whole body. Each body is let go at once: a page's rows live on
    in the reference cycles of its request until the garbage collector runs."""

    def __init__(self, query):
        from blog.models import Post

        self.query = query
        self.database = router.db_for_read(Post)  # a replica, where reads go to one

    def __getitem__(self, window):
        if not isinstance(window, slice) or window.step is not None or window.start is None:
            raise TypeError("SearchCards reads slices [start:stop] only")
        terms = search_terms(self.query)
        if not terms:
            return []
        connection = connections[self.database]
        if connection.vendor != "postgresql":
            return self._rows_without_full_text(terms, window)
        # The same statement every time (the words and times are parameters): planned once per
        # connection, where planning it was a quarter of what PostgreSQL spent on a search.
        with connection.prepared_cursor() as cursor:
            cursor.execute(*self.statement(terms, window))
            rows = cursor.fetchall()
        return [  # a post with no text has no passage: its snippet is empty
            SearchRow(pk, card_html, version, snippet(text, terms, bool(number), not last), total)
            for pk, card_html, version, text, number, last, total in rows
        ]

    def statement(self, terms, window):
        """(sql, params) of the PostgreSQL query for the slice `window` of the results."""
        from blog.models import SearchEntry

        table, now = SearchEntry._meta.db_table, timezone.now()
        params = slice_params(table, now, search.SEARCH_SLICES)
        params |= {
            "words": " ".join(terms),
            "pattern": passage_pattern(terms),
            "limit": window.stop - window.start,
            "offset": window.start,
        }
        return search_sql(search.SEARCH_CANDIDATES, len(search.SEARCH_SLICES)), params

    def _rows_without_full_text(self, terms, window):
        from blog.models import Post

        matches = Q()
        for term in terms:
            matches &= (
                Q(title__icontains=term)
                | Q(description__icontains=term)
                | Q(body__icontains=term)
                | Q(tags__name__icontains=term)
                | Q(faqs__question__icontains=term)
                | Q(faqs__answer__icontains=term)
            )
        posts = Post.objects.using(self.database)
        found = posts.filter(matches).values("pk")
        rows = posts.published().filter(pk__in=found).annotate(search_total=Window(Count("pk")))
        rows = rows.values_list("pk", "card_html", "fragments_version", "body_html", "search_total")
        return [
            SearchRow(pk, card_html, version, body_snippet(body_html, terms), total)
            for pk, card_html, version, body_html, total in rows[window]
        ]
