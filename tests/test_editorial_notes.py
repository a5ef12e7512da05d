"""Editorial notes: threads on a post for those who may open it in the admin, @mentions that
email (through the worker), resolving and reopening; never public, never a way in."""

import pytest

from blog.models import EditorialNote, Post
from tests.factories import PostFactory, UserFactory
from tests.helpers import run_worker
from tests.mail import Mailbox, smtp_server

pytestmark = pytest.mark.django_db


def notes_url(post):
    return f"/admin/blog/post/{post.pk}/notes/"


@pytest.fixture
def mailbox(settings):
    handler = Mailbox()
    controller = smtp_server(settings, handler)
    yield handler
    controller.stop()


def test_a_mention_emails_the_editor_through_the_worker(client, contributor, editor, mailbox):
    post = PostFactory(status=Post.Status.IN_REVIEW, authors=[contributor], title="Soup")
    client.force_login(contributor)

    response = client.post(
        notes_url(post), {"body": "@edith is the intro too long?\nThanks."}, follow=True
    )

    page = response.content.decode()
    assert f"Note added; {editor.name} will hear of it." in page
    assert "is the intro too long?<br>Thanks." in page
    run_worker()
    [message] = mailbox.messages
    assert mailbox.recipients == [editor.email]
    assert message["Subject"] == "A note for you: Soup"
    text = message.get_body(("plain",)).get_content()
    assert "mentioned you in a note" in text and "> @edith is the intro too long?" in text
    assert f"/admin/blog/post/{post.pk}/notes/" in text


def test_a_reply_joins_the_thread_and_resolving_closes_it(client, contributor, editor):
    post = PostFactory(status=Post.Status.IN_REVIEW, authors=[contributor])
    first = EditorialNote.write(post, editor, "Needs a source.", may_see=lambda user: True)
    client.force_login(contributor)

    client.post(notes_url(post), {"body": "Added one.", "thread": first.pk})
    reply = EditorialNote.objects.get(body="Added one.")
    assert reply.thread == first

    client.force_login(editor)
    client.post(notes_url(post), {"resolve": first.pk})
    first.refresh_from_db()
    assert first.resolved and first.resolved_by == editor
    page = client.get(notes_url(post)).content.decode()
    assert "Resolved by" in page and "0 open threads" in page

    client.post(notes_url(post), {"resolve": first.pk})
    first.refresh_from_db()
    assert not first.resolved


def test_only_those_who_may_see_the_post_are_mentioned(client, author, editor, mailbox):
    other_writer = UserFactory(username="olga", is_staff=True)
    other_writer.groups.add(*author.groups.all())
    post = PostFactory(status=Post.Status.DRAFT, authors=[author])
    client.force_login(author)

    client.post(notes_url(post), {"body": "@olga @edith @nobody have a look"})

    note = EditorialNote.objects.get()
    assert list(note.mentioned.all()) == [editor]
    run_worker()
    assert mailbox.recipients == [editor.email]


def test_writers_cannot_read_or_write_notes_on_posts_that_are_not_theirs(
    client, contributor, author, editor
):
    post = PostFactory(status=Post.Status.IN_REVIEW, authors=[author])
    note = EditorialNote.write(post, editor, "Private remark.", may_see=lambda user: True)
    client.force_login(contributor)

    assert client.get(notes_url(post)).status_code == 404
    response = client.post(notes_url(post), {"body": "sneaking in", "thread": note.pk})
    assert response.status_code == 404
    response = client.post(notes_url(post), {"resolve": note.pk})
    assert response.status_code == 404
    assert EditorialNote.objects.count() == 1 and not EditorialNote.objects.get().resolved


def test_a_reply_cannot_join_a_thread_of_another_post(client, editor):
    mine, other = PostFactory(), PostFactory()
    elsewhere = EditorialNote.write(other, editor, "On the other post.", may_see=lambda u: True)
    client.force_login(editor)

    response = client.post(notes_url(mine), {"body": "Hi", "thread": elsewhere.pk})

    assert response.status_code == 403
    assert not EditorialNote.objects.filter(post=mine).exists()


def test_notes_are_never_public_and_their_text_is_escaped(client, editor):
    post = PostFactory(slug="soup")
    EditorialNote.write(
        post, editor, "<script>alert(1)</script> secret plan", may_see=lambda user: True
    )

    assert "secret plan" not in client.get("/posts/soup/").content.decode()
    client.force_login(editor)
    page = client.get(notes_url(post)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; secret plan" in page
    assert "<script>alert(1)" not in page


def test_the_post_form_links_to_its_notes_with_the_open_threads_counted(client, editor):
    post = PostFactory()
    EditorialNote.write(post, editor, "One.", may_see=lambda user: True)
    EditorialNote.write(post, editor, "Two.", may_see=lambda user: True).resolve(by=editor)
    client.force_login(editor)

    page = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()

    assert f'href="/admin/blog/post/{post.pk}/notes/"' in page and "Notes (1 open)" in page
