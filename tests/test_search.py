"""Reader search: PostgreSQL full text where available, plain matching on SQLite."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from blog.models import Post
from blog.models.cards import SearchCards
from blog.models.content import write_search_vectors
from tests.factories import FAQFactory, FullPostFactory, PostFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL full-text search"
)


def results(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    titles = dict(Post.objects.values_list("pk", "title"))
    return [titles[row.pk] for row in response.context["posts"]]


def test_search_finds_posts_by_title_description_body_tags_and_faqs(client):
    PostFactory(title="Sourdough starter basics")
    PostFactory(title="Second", description="All about kimchi fermentation.")
    PostFactory(title="Third", body="Notes on pruning apple trees.")
    PostFactory(title="Fourth", tags=["composting"])
    FAQFactory(post=PostFactory(title="Fifth"), question="Can I freeze rhubarb?")

    assert results(client, "sourdough") == ["Sourdough starter basics"]
    assert results(client, "kimchi") == ["Second"]
    assert results(client, "pruning") == ["Third"]
    assert results(client, "composting") == ["Fourth"]
    assert results(client, "rhubarb") == ["Fifth"]


def test_every_word_must_match(client):
    PostFactory(title="Tomato soup", body="A warming soup.")
    PostFactory(title="Tomato salad", body="A summer salad.")

    assert results(client, "tomato soup") == ["Tomato soup"]


def test_search_finds_only_what_the_public_may_see(client):
    PostFactory(title="Parsnip harvest")
    PostFactory(title="Parsnip draft", status=Post.Status.DRAFT)
    PostFactory(title="Parsnip soon", publish_at=timezone.now() + timedelta(days=1))
    PostFactory(title="Parsnip page", kind=Post.Kind.PAGE, slug="parsnip-page")

    assert results(client, "parsnip") == ["Parsnip harvest"]


def test_search_reflects_edits_to_tags_and_faqs(client):
    post = PostFactory(title="Edited later")
    post.tags.add("zucchini")
    faq = FAQFactory(post=post, question="Anything?", answer="Yes, aubergine.")

    assert results(client, "zucchini") == ["Edited later"]
    assert results(client, "aubergine") == ["Edited later"]

    faq.delete()
    assert results(client, "aubergine") == []


@on_postgresql
def test_title_matches_rank_above_body_matches_and_stems_match(client):
    PostFactory(title="Notes", body="Some people grow gardens on balconies.")
    PostFactory(title="Balcony gardens", body="Pots and light.")

    assert results(client, "balcony garden") == ["Balcony gardens", "Notes"]


@on_postgresql
def test_title_matches_come_first_however_old_then_the_newest(client):
    now = timezone.now()
    PostFactory(title="Compost heaps", publish_at=now - timedelta(days=900))
    PostFactory(title="Older notes", body="Compost again.", publish_at=now - timedelta(days=2))
    PostFactory(title="Newer notes", body="Compost once.", publish_at=now - timedelta(days=1))

    assert results(client, "compost") == ["Compost heaps", "Newer notes", "Older notes"]


@on_postgresql
def test_common_words_rank_a_bounded_set_title_matches_and_the_newest(client, monkeypatch):
    monkeypatch.setattr("blog.search.SEARCH_CANDIDATES", 3)
    monkeypatch.setattr("blog.views.SEARCH_CANDIDATES", 3)
    now = timezone.now()
    PostFactory(title="Mulch", publish_at=now - timedelta(days=900))
    for day in range(1, 6):
        PostFactory(title=f"Day {day}", body="Mulch.", publish_at=now - timedelta(days=day))

    assert results(client, "mulch") == ["Mulch", "Day 1", "Day 2", "Day 3"]
    assert "At least 3 posts found" in client.get("/search/", {"q": "mulch"}).content.decode()


@on_postgresql
def test_the_newest_matches_are_found_slice_by_slice(client, monkeypatch):
    monkeypatch.setattr("blog.search.SEARCH_CANDIDATES", 3)
    monkeypatch.setattr("blog.views.SEARCH_CANDIDATES", 3)
    monkeypatch.setattr("blog.search.SEARCH_SLICES", (2, 4))  # days 1–2, 3–4, then older
    now = timezone.now()
    PostFactory(title="Mulch", publish_at=now - timedelta(days=900))
    for day in range(1, 9):
        body = "Mulch." if day in (2, 5, 7, 8) else "Straw."
        PostFactory(title=f"Day {day}", body=body, publish_at=now - timedelta(days=day))

    assert results(client, "mulch") == ["Mulch", "Day 2", "Day 5", "Day 7"]
    assert results(client, "straw") == ["Day 1", "Day 3", "Day 4"]


@on_postgresql
@pytest.mark.parametrize("titled", [2, 5, 8])  # fewer and more than the 3 candidates
def test_title_matches_are_the_newest_and_text_matches_follow_while_they_are_few(
    client, monkeypatch, titled
):
    monkeypatch.setattr("blog.search.SEARCH_CANDIDATES", 3)
    monkeypatch.setattr("blog.views.SEARCH_CANDIDATES", 3)
    monkeypatch.setattr("blog.search.SEARCH_SLICES", (2, 4))
    now = timezone.now()
    for day in range(titled, 0, -1):  # the oldest first, as the GIN index gives them
        PostFactory(title=f"Mulch {day}", publish_at=now - timedelta(days=10 * day))
    PostFactory(title="Newer", body="Mulch.", publish_at=now - timedelta(hours=1))

    expected = [f"Mulch {day}" for day in range(1, min(titled, 3) + 1)]
    # Title matches filling the 3 candidates leave no place a text match could be shown.
    text_matches = ["Newer"] if titled < 3 else []
    assert results(client, "mulch") == [*expected, *text_matches]
    assert "At least 3 posts found" in client.get("/search/", {"q": "mulch"}).content.decode()


@pytest.mark.parametrize("posts", [1, 30])
def test_a_search_page_runs_at_most_four_queries(client, django_assert_max_num_queries, posts):
    for _ in range(posts):
        FullPostFactory(title="Garden notes")
    client.get("/search/", {"q": "warm up the content version"})

    for page in (1, 2) if posts > 20 else (1,):
        with django_assert_max_num_queries(4):
            response = client.get("/search/", {"q": "garden", "page": page})
        assert response.status_code == 200
        assert f"{posts} post" in response.content.decode()
    assert client.get("/search/", {"q": "garden", "page": 9}).status_code == 404


@on_postgresql
def test_search_finds_matches_through_the_gin_indexes():
    with connection.cursor() as cursor:
        # Autovacuum, seeing none of this test's rows, would set the statistics back to empty.
        cursor.execute("ALTER TABLE blog_searchentry SET (autovacuum_enabled = false)")
    PostFactory(title="Garden notes")
    others = Post.objects.bulk_create(
        Post(title=f"Other {n}", slug=f"other-{n}", body="Nothing of the sort.", status="published")
        for n in range(300)
    )
    write_search_vectors(others)
    sql, params = SearchCards("garden").statement(["garden"], slice(0, 20))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE blog_searchentry")
        # Tiny tables are read whole, and a few hundred rows by date: only the planner's
        # choice of index for the matching is left to see here.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert "Bitmap Index Scan on search_entry_document_gin" in plan
    assert "Bitmap Index Scan on search_entry_rank_vector_gin" in plan


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "!!!???",
        "&&& || !!",
        "'; DROP TABLE blog_post; --",
        '"unbalanced quote',
        "a" * 5000,
        "word " * 400,
        "<script>alert(1)</script>",
        "\x00nul",
        "-garden",
        "garden -something",
        "the",
        "or or",
        '"',
        "İstanbul",  # lower-cased by Python, a combining mark joins the word
    ],
)
def test_odd_queries_answer_politely(client, query):
    PostFactory(title="Something")

    response = client.get("/search/", {"q": query})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert Post.objects.count() == 1


def test_empty_and_punctuation_only_queries_explain_themselves(client):
    assert "Type a word or two" in client.get("/search/").content.decode()
    assert "has no words to search for" in client.get("/search/?q=%21%3F").content.decode()


def test_very_long_queries_are_shortened_with_a_notice(client):
    html = client.get("/search/", {"q": "garden " * 100}).content.decode()

    assert "only its first 200 characters were used" in html


def test_results_show_highlighted_escaped_snippets(client):
    PostFactory(title="Beans", body="Soak the beans. `<img src=x onerror=alert(1)>` more beans.")

    html = client.get("/search/", {"q": "beans"}).content.decode()

    assert "<mark>beans</mark>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html


def test_results_show_the_post_card_with_the_matching_words_for_a_description(client):
    PostFactory(
        title="Beans",
        description="Not shown here.",
        body="Soak the beans overnight.",
        tags=["pantry"],
    )

    html = client.get("/search/", {"q": "overnight"}).content.decode()

    assert '<p class="post-card__description">Soak the beans <mark>overnight</mark>.</p>' in html
    assert "Not shown here." not in html
    assert "1 min read" in html
    assert 'href="/tags/pantry/">pantry</a>' in html


def test_no_results_says_so(client):
    PostFactory(title="Beans")

    html = client.get("/search/", {"q": "quinoa"}).content.decode()

    assert "No posts match “quinoa”" in html


def test_search_pages_keep_the_query(client):
    PostFactory.create_batch(25, title="Garden notes")

    html = client.get("/search/", {"q": "garden"}).content.decode()

    assert "25 posts found" in html
    assert 'href="?q=garden&amp;page=2" rel="next"' in html


@on_postgresql
def test_the_search_vector_has_a_gin_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'blog_searchentry' "
            "AND indexdef LIKE %s",
            ["%gin%search_vector%"],
        )
        assert cursor.fetchone()


def long_bodies():
    """Rendered bodies of the demo posts and, where it is here, the shared sample."""
    from pathlib import Path

    from blog.rendering import render_markdown

    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "demo" / "posts").glob("*.md"))
    sample = root.parent / "shared" / "samples" / "why-men-pull-away.md"
    files += [sample] if sample.exists() else []
    bodies = [render_markdown(file.read_text()) for file in files]
    # One long body whose words sit far from any edge, in long paragraphs and in a table.
    filler = "\n\n".join(
        f"Paragraph {n} about soil and [a link](https://example.com/tomato-{n})."
        for n in range(300)
    )
    bodies.append(render_markdown(f"{filler}\n\nThe tomato harvest came late.\n\n{filler}"))
    return bodies


@pytest.mark.parametrize(
    "words", ["the", "tomato", "harvest came", "cast iron", "money", "zzzz", "link", "exa"]
)
def test_snippets_cut_from_around_the_match_are_those_of_the_whole_text(words):
    from blog.rendering import plain_text
    from blog.search import body_snippet, search_terms, snippet

    terms = search_terms(words)
    for body in long_bodies():
        assert body_snippet(body, terms) == snippet(plain_text(body), terms)


@pytest.mark.parametrize(
    "text",
    [
        "A garden, the GARDENS and Gardening.",
        "underscore_garden then éGarden, then —garden",  # no word starts at the first two
        "ＧＡＲＤＥＮ and 花garden and 2garden and garden",
        "The K-garden: Kelvin's \u212aitchen, then a kitchen",  # K matches k, case-blind
        "İstanbul gardens, then istanbul",  # İ lower-cases to two letters
        "café CAFÉ Café",
        "xgarden " * 150 + "then a garden",  # the stem inside words, past the quick finder's bound
        "nothing to find here",
        "",
    ],
)
@pytest.mark.parametrize("words", ["garden", "kitchen", "istanbul", "café", "cafe", "zzzz"])
def test_the_quick_match_finder_agrees_with_the_case_blind_pattern(text, words):
    from blog.search import _term_pattern, first_match, search_terms

    terms = search_terms(words)
    found = _term_pattern(terms).search(text)
    assert first_match(text, terms) == (found.start() if found else -1)


@pytest.mark.parametrize(
    "text",
    [
        "A garden, the GARDENS and Gardening.",
        "underscore_garden then éGarden, then —garden, garden_party",
        "ＧＡＲＤＥＮ and 花garden and 2garden and garden",
        "The K-garden: Kelvin's \u212aitchen, then a kitchen and kitchens",
        "İstanbul gardens, then istanbul and ISTANBUL",
        "ſtrange gardens and \u0131stanbul",  # long s and dotless i: case-blind matches
        "café CAFÉ Café cafés",
        "There’s a garden — gardens… “Gardening” isn’t kitchen work",
        "gardengarden garden",
        "",
    ],
)
@pytest.mark.parametrize(
    "words", ["garden", "kitchen", "istanbul", "café", "cafe", "strange", "garden kitchen"]
)
def test_the_words_snippets_mark_are_those_the_case_blind_pattern_finds(text, words):
    from blog.search import _term_pattern, _word_spans, search_terms

    terms = search_terms(words)
    expected = [found.span() for found in _term_pattern(terms).finditer(text)]
    assert _word_spans(text, terms) == expected


@pytest.mark.parametrize(
    "fields",
    [
        {"description": "A description.", "body": "Soak the beans overnight."},
        {"description": "", "excerpt": "", "body": "Soak the beans overnight."},
        {"description": "Beans \\1 & <co>", "body": "Beans \\1 and beans \\g<0> overnight."},
    ],
)
def test_a_stored_card_with_its_snippet_is_the_card_rendered_with_it(fields):
    """Search results put the snippet into each stored card (fragments.cards) instead
    of rendering twenty cards: the same HTML but for white space, stored or stale."""
    from blog.fragments import CARD_FIELDS, cards, render_fragment, store_fragments
    from blog.search import body_snippet

    post = PostFactory(title="Beans", tags=["pantry"], **fields)
    if not fields.get("excerpt", True):  # a save makes one from the body
        Post.objects.filter(pk=post.pk).update(excerpt="")
        store_fragments([post.pk])
    row = Post.objects.only("card_html", "fragments_version", "body_html").get(pk=post.pk)
    loaded = Post.objects.select_related("featured_image").only(*CARD_FIELDS).get(pk=post.pk)
    snippet = body_snippet(row.body_html, ["overnight"])
    assert "<mark>overnight</mark>" in snippet
    assert ('class="post-card__description"' in row.card_html) == bool(loaded.excerpt)

    def normal(html):
        return " ".join(html.split())

    expected = normal(render_fragment("card", loaded, snippet=snippet))
    assert normal(cards([row], [snippet])[0]) == expected
    row.fragments_version = "stale"
    assert normal(cards([row], [snippet])[0]) == expected
    assert cards([row], [""])[0] == render_fragment("card", loaded)
