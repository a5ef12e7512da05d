"""Search results' snippets, read from the passage of the body that holds the words
(blog/models/passages.py) on PostgreSQL."""

import pytest
from django.db import connection

from blog.models import Passage, Post
from blog.rendering import plain_text, render_markdown
from blog.search import LONGEST_PASSAGE, PASSAGE_LENGTH, passages
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="passages are PostgreSQL's (full-text search)"
)

FILLER = (
    "Cooking for a crowd in a rented flat is mostly about planning: one pot, one pan, "
    "and a list written the night before, with the shop's opening hours checked twice. "
) * 2


def body_with(*paragraphs, filler=6):
    """Markdown: `filler` paragraphs without the test's words, then `paragraphs`, then more."""
    return "\n\n".join([FILLER] * filler + list(paragraphs) + [FILLER] * filler)


def snippets(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return [row.snippet for row in response.context["posts"]]


@pytest.mark.parametrize(
    "markdown",
    [
        body_with("The tomato harvest came late."),
        "A single short paragraph.",
        "\n\n".join(["word " * 700, "| a | b |\n|---|---|\n| one | two |", "Last."]),
        "x" * 5000,  # a word longer than a passage: cut where it must be
        "",
    ],
)
def test_a_body_is_kept_in_passages_of_whole_blocks_that_hold_all_its_text(markdown):
    html = render_markdown(markdown)

    found = passages(html)

    assert "".join(found).replace(" ", "") == plain_text(html).replace(" ", "")
    assert all(len(passage) <= LONGEST_PASSAGE for passage in found)
    assert all(len(passage) >= PASSAGE_LENGTH for passage in found[:-1])
    if " " in markdown:  # every cut is at a space: nothing is lost or run together
        assert " ".join(found) == plain_text(html)


@on_postgresql
def test_a_result_shows_its_words_from_the_passage_deep_in_the_body_they_are_in(client):
    post = PostFactory(title="Notes", body=body_with("The tomato harvest came late this year."))
    numbers = dict(Passage.objects.filter(post=post).values_list("number", "text"))
    holding = [number for number, text in numbers.items() if "tomato" in text]

    (snippet,) = snippets(client, "tomatoes")

    assert holding and holding[0] > 0  # not in the first passage
    assert "The <mark>tomato</mark> harvest came late this year." in snippet
    assert snippet.startswith("… ") and snippet.endswith(" …")


@on_postgresql
def test_a_result_matched_by_its_title_alone_shows_the_start_of_its_body(client):
    PostFactory(title="Tomato notes", body=body_with("Nothing about that fruit here."))

    (snippet,) = snippets(client, "tomato")

    assert snippet.startswith("Cooking for a crowd in a rented flat")
    assert "<mark>" not in snippet


@on_postgresql
def test_a_result_shows_the_first_passage_holding_any_of_the_words(client):
    body = body_with("Sow the basil in spring.", FILLER * 3, "Water the tomato plants daily.")
    PostFactory(title="Notes", body=body)

    (snippet,) = snippets(client, "tomato basil")

    assert "Sow the <mark>basil</mark> in spring." in snippet


@on_postgresql
def test_snippets_escape_what_the_body_says(client):
    PostFactory(title="Notes", body=body_with("Soak the beans. `<script>alert(1)</script>` beans."))

    (snippet,) = snippets(client, "beans")
    html = client.get("/search/", {"q": "beans"}).text

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "<script>alert(1)" not in html


@on_postgresql
def test_passages_follow_edits_to_the_body_and_go_with_their_post(client):
    post = PostFactory(title="Notes", body=body_with("The tomato harvest came late."))
    post.body = body_with("The tomato harvest came early.")
    post.save_with_history()

    (snippet,) = snippets(client, "tomato")
    assert "<mark>tomato</mark> harvest came early." in snippet

    post = Post.objects.get(pk=post.pk)
    post.delete()
    assert not Passage.objects.filter(post_id=post.pk).exists()


@on_postgresql
def test_a_post_without_text_has_no_passages_and_an_empty_snippet(client):
    post = PostFactory(title="Tomato", body="")

    assert not Passage.objects.filter(post=post).exists()
    assert snippets(client, "tomato") == [""]


@on_postgresql
def test_the_passage_shown_is_where_a_word_starts_as_the_search_word_does(client):
    body = body_with("A minescargot fork, not a snail.", FILLER * 3, "Escargots are snails.")
    PostFactory(title="Notes", body=body)

    (snippet,) = snippets(client, "ESCARGOT")

    assert "<mark>Escargots</mark> are snails." in snippet


@on_postgresql
def test_words_that_lower_case_to_more_than_letters_find_their_passage(client):
    PostFactory(title="Notes", body=body_with("İstanbul in winter, by ferry."))

    (snippet,) = snippets(client, "İstanbul")

    assert "in winter, by ferry." in snippet
