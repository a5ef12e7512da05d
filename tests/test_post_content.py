"""A post's content as a whole, and the one path every writer saves it by."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from blog.models import Post, SearchEntry
from blog.models.content import HistoryBatch
from tests.factories import FullPostFactory, PostFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def populated_post():
    return FullPostFactory(
        title="Bread at home",
        authors=[UserFactory(username="bea"), UserFactory(username="cal")],
        tags=["bread", "baking"],
        topics=[TopicFactory(name="Cooking")],
        faqs=[{"question": "Starter?", "answer": "A lively one.", "order": 1}],
        references=[{"title": "On leavening", "publisher": "", "year": None, "url": ""}],
    )


def test_content_holds_text_parts_and_byline_in_order():
    content = populated_post().content()

    assert content["title"] == "Bread at home"
    assert content["tags"] == ["baking", "bread"]
    assert content["topics"] == ["cooking"]
    assert content["authors"] == ["bea", "cal"]
    assert content["faqs"] == [{"question": "Starter?", "answer": "A lively one."}]
    assert content["references"] == [
        {"title": "On leavening", "publisher": "", "year": None, "url": ""}
    ]


def test_content_applied_to_a_new_post_reads_back_the_same():
    original = populated_post()
    content = {**original.content(), "slug": "bread-again"}

    copy = Post()
    copy.apply_content(content)
    copy.save_with_history(note="Copied")

    assert Post.objects.get(slug="bread-again").content() == content


def test_saving_with_nothing_changed_keeps_no_new_revision_or_state_change():
    post = populated_post()
    post.save_with_history()

    post.apply_content(post.content())
    post.save_with_history()

    assert post.revisions.count() == 1
    assert post.state_changes.count() == 0


def test_a_status_move_is_recorded_with_who_made_it():
    post = populated_post()
    editor = UserFactory(username="ed")

    post.apply_content({"status": Post.Status.ARCHIVED})
    post.save_with_history(by=editor, note="Archived")

    change = post.state_changes.get()
    assert (change.from_status, change.to_status, change.by) == ("published", "archived", editor)
    assert post.revisions.get().note == "Archived"


def test_publishing_a_scheduled_post_at_once_is_a_state_change_of_its_own():
    post = PostFactory(publish_at=timezone.now() + timedelta(days=2))
    post.publish_at = timezone.now() + timedelta(days=3)
    post.save_with_history()  # rescheduled
    post.apply_transition("publish")
    post.save_with_history()

    trail = [change.description() for change in post.state_changes.order_by("pk")]
    assert len(trail) == 2 and trail[0].startswith("Scheduled for")
    assert trail[1] == "Published"


def test_editing_a_live_post_is_no_state_change():
    post = PostFactory()
    post.title, post.publish_at = "Retitled", post.publish_at - timedelta(days=1)
    post.save_with_history()

    assert post.state_changes.count() == 0 and post.revisions.count() == 1


def test_a_new_post_records_its_creation():
    post = Post(title="Fresh", body="Words.", status=Post.Status.DRAFT)
    post.save_with_history()

    assert post.state_changes.get().description() == "Created as draft"


def test_content_that_cannot_be_saved_writes_nothing_at_all():
    post = populated_post()
    before = Post.objects.get(pk=post.pk).content()

    post.apply_content({"title": "Changed", "faqs": [], "authors": ["nobody-of-that-name"]})
    with pytest.raises(ValidationError, match="nobody-of-that-name"):
        post.save_with_history()

    assert Post.objects.get(pk=post.pk).content() == before
    assert post.revisions.count() == 0


def test_holds_compares_in_contents_own_terms():
    post = populated_post()

    assert post.holds({"tags": ["bread", "baking", "bread"], "authors": ["bea", "cal", "bea"]})
    assert post.holds({"publish_at": post.publish_at.replace(microsecond=123)})
    assert not post.holds({"authors": ["cal", "bea"]})  # the byline's order counts


def test_a_bare_save_keeps_derived_fields_but_no_history():
    post = populated_post()
    post.body = "## One\n\nA few words here."
    post.save()

    post.refresh_from_db()
    assert post.word_count == 5 and "<h2" in post.body_html
    assert post.revisions.count() == 0 and post.state_changes.count() == 0


def test_restoring_a_revision_keeps_the_byline_status_and_publish_time():
    post = populated_post()
    first = post.save_with_history()
    post.apply_content(
        {"title": "Rewritten", "authors": ["cal"], "status": Post.Status.ARCHIVED, "faqs": []}
    )
    post.save_with_history()

    first.restore(by=None)

    content = Post.objects.get(pk=post.pk).content()
    assert content["title"] == "Bread at home" and len(content["faqs"]) == 1
    assert content["authors"] == ["cal"] and content["status"] == "archived"
    assert post.revisions.first().note == "Restored revision 1"


def saved_history(post):
    """What a save leaves of a post besides its content: derived fields, search text (on
    PostgreSQL), revisions and state changes, with the slug taken out."""
    row = Post.objects.filter(pk=post.pk)
    search_text = SearchEntry.objects.filter(post=post).values_list("search_vector", flat=True)
    return {
        "content": {**post.content(), "slug": None},
        "derived": row.values(*Post.DERIVED).get(),
        "search text": search_text.first(),
        "faq html": list(post.faqs.values_list("answer_html", flat=True)),
        "revisions": [
            ({**r.data, "slug": None}, r.number, r.note, r.by_id)
            for r in post.revisions.order_by("number")
        ],
        "state changes": list(
            post.state_changes.order_by("pk").values_list(
                "from_status", "to_status", "publish_at", "by"
            )
        ),
    }


def batch_contents(users, topic):
    earlier = (timezone.now() - timedelta(days=3)).replace(microsecond=0)
    later = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    return [
        {
            "title": "Sourdough",
            "body": "## Feeding\n\nFlour and *water*, then [wait](https://example.org).",
            "status": Post.Status.DRAFT,
            "publish_at": earlier,
            "tags": ["bread", "baking"],
            "topics": [topic.slug],
            "authors": [users[1].username, users[0].username],
            "faqs": [{"question": "How warm?", "answer": "About **24 °C**."}],
            "references": [{"title": "Bread", "publisher": "Press", "year": 2020, "url": ""}],
        },
        {
            "title": "Rye",
            "body": "Dense and dark.",
            "status": Post.Status.PUBLISHED,
            "publish_at": later,
            "tags": ["rye"],
            "authors": [users[0].username],
        },
        {
            "title": "Spelt",
            "body": "Nutty.",
            "status": Post.Status.PUBLISHED,
            "publish_at": earlier,
            "tags": [],
        },
    ]


def save_each(contents, suffix, batch=None, note="Saved"):
    posts = []
    for number, content in enumerate(contents):
        post = Post(slug=f"{slugify(content['title'])}-{suffix}-{number}")
        post.apply_content(content)
        post.save_with_history(note=note, batch=batch)
        posts.append(post)
    return posts


def test_a_batch_of_saves_gives_what_saving_each_post_alone_gives(editor):
    users, topic = [editor, UserFactory(username="dee")], TopicFactory(name="Baking")
    contents = batch_contents(users, topic)

    alone = save_each(contents, "alone")
    with transaction.atomic():
        batch = HistoryBatch()
        together = save_each(contents, "batch", batch)
        revisions = batch.write()
    # and then an edit of each: parts changed, one post published, one moved back to draft
    edits = [
        {"tags": ["bread"], "faqs": [], "authors": [users[0].username], "status": "published"},
        {"title": "Rye bread", "status": Post.Status.DRAFT, "references": []},
        {"topics": [topic.slug], "body": "Nutty and sweet."},
    ]
    for post, edit in zip(alone, edits, strict=True):
        post.apply_content(edit)
        post.save_with_history(by=editor, note="Edited")
    with transaction.atomic():
        batch = HistoryBatch()
        for post, edit in zip(together, edits, strict=True):
            post.apply_content(edit)
            post.save_with_history(by=editor, note="Edited", batch=batch)
        batch.write()

    assert [revision.number for revision in revisions] == [1, 1, 1]
    for one, other in zip(alone, together, strict=True):
        assert saved_history(other) == saved_history(one)
    assert together[0].revisions.count() == 2
    assert list(together[1].state_changes.values_list("to_status", flat=True)) == [
        "draft",
        "published",
    ]  # newest first


def test_a_batch_writes_the_parts_of_many_posts_in_a_few_queries(django_assert_max_num_queries):
    users, topic = [UserFactory(username="eve"), UserFactory(username="fay")], TopicFactory()
    contents = batch_contents(users, topic) * 10
    save_each(contents[:3], "first")  # the tags exist: what is counted is the same per batch

    with transaction.atomic():
        batch = HistoryBatch()
        posts = save_each(contents, "batch", batch)
        # Redirects from the posts' addresses dropped, parts, search text (on PostgreSQL with
        # its passages: two statements), history, then the stored blocks and listings
        # (Post.store_derived), their posts locked first, the sponsored links they use, the
        # library images they use (one read when none changed), and the go-live outbox (the
        # scheduled posts' waiting events, then every event): 46 statements on SQLite, 51 on
        # PostgreSQL, whether the batch holds 3 posts or 30 (up to 500, the stored blocks'
        # chunk).
        with django_assert_max_num_queries(51):
            batch.write()

    assert all(post.revisions.count() == 1 for post in posts)
    assert posts[0].faqs.get().answer_html == "<p>About <strong>24 °C</strong>.</p>"
