"""The editorial workflow as editors meet it: clear refusals, an audit trail, revisions."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from blog.models import Post, StateChange
from tests.factories import FAQFactory, ImageFactory, PostFactory
from tests.helpers import png, post_form, restore_form

pytestmark = pytest.mark.django_db


def change(client, post, **fields):
    return client.post(f"/admin/blog/post/{post.pk}/change/", post_form(post, **fields))


def errors(response):
    assert response.status_code == 200, "the form was expected to be refused"
    return " ".join(
        str(e) for form_errors in [response.context["adminform"].form.errors.values()]
        for e in form_errors
    )  # fmt: skip


def test_scheduling_in_the_past_is_refused_with_a_reason(client, editor):
    post = PostFactory(status=Post.Status.DRAFT)
    client.force_login(editor)

    response = change(client, post, _transition="schedule",
                      publish_at_0="2020-01-01", publish_at_1="10:00:00")  # fmt: skip

    assert "A scheduled post needs a publish time in the future" in errors(response)
    assert Post.objects.get(pk=post.pk).status == Post.Status.DRAFT


def test_publish_now_with_a_future_time_points_to_schedule(client, editor):
    post = PostFactory(status=Post.Status.DRAFT)
    client.force_login(editor)
    later = timezone.localtime() + timedelta(days=3)

    response = change(client, post, _transition="publish",
                      publish_at_0=later.strftime("%Y-%m-%d"), publish_at_1="10:00:00")  # fmt: skip

    assert "use “Schedule”" in errors(response)


def test_publishing_without_a_description_is_refused(client, author):
    post = PostFactory(authors=[author], status=Post.Status.DRAFT)
    client.force_login(author)

    response = change(client, post, _transition="publish", description="")

    assert "Add a description before publishing" in errors(response)


def test_publishing_a_featured_image_without_alt_text_is_refused(client, author):
    image = ImageFactory(upload=png(800, 400), alt_text="")
    post = PostFactory(authors=[author], status=Post.Status.DRAFT, featured_image=image)
    client.force_login(author)

    response = change(client, post, _transition="publish", featured_image_alt="")

    assert f"Describe the featured image (“{image.title}”, image:{image.pk})" in errors(response)


def test_a_live_post_cannot_lose_its_description(client, editor):
    post = PostFactory()
    client.force_login(editor)

    assert "Add a description" in errors(change(client, post, description=" "))


def test_scheduling_then_publishing_at_its_time_with_no_job(client, author):
    post = PostFactory(authors=[author], status=Post.Status.DRAFT, title="Soon")
    client.force_login(author)
    when = (timezone.localtime() + timedelta(hours=2)).replace(second=0, microsecond=0)

    change(client, post, _transition="schedule", publish_at_0=when.strftime("%Y-%m-%d"),
           publish_at_1=when.strftime("%H:%M:%S"))  # fmt: skip
    client.logout()

    post.refresh_from_db()
    assert post.is_scheduled() and post.publish_at == when
    assert "Soon" not in client.get("/").content.decode()
    with time_machine.travel(when + timedelta(seconds=1)):
        assert "Soon" in client.get("/").content.decode()
        assert "Soon" in client.get("/feed/").content.decode()


def test_publish_now_stamps_the_current_time_unless_backdated(client, editor):
    fresh = PostFactory(status=Post.Status.DRAFT, publish_at=timezone.now() - timedelta(days=30))
    old = PostFactory(status=Post.Status.DRAFT)
    client.force_login(editor)

    change(client, fresh, _transition="publish")
    change(client, old, _transition="publish", publish_at_0="2021-05-04", publish_at_1="08:00:00")

    assert timezone.now() - Post.objects.get(pk=fresh.pk).publish_at < timedelta(minutes=1)
    assert Post.objects.get(pk=old.pk).publish_at.year == 2021


def test_every_state_change_is_recorded_with_who_and_when(client, contributor, editor):
    client.force_login(contributor)
    client.post("/admin/blog/post/add/", post_form(title="Trail"))
    post = Post.objects.get(title="Trail")
    change(client, post, _transition="submit")
    client.force_login(editor)
    change(client, Post.objects.get(pk=post.pk), _transition="publish")

    trail = [
        (c.from_status, c.to_status, c.by.username, c.description())
        for c in StateChange.objects.filter(post=post).order_by("at", "pk")
    ]
    assert trail == [
        ("", "draft", "carla", "Created as draft"),
        ("draft", "review", "carla", "Submitted for review"),
        ("review", "published", "edith", "Published"),
    ]
    page = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    assert "Submitted for review" in page


def test_bulk_actions_change_what_they_may_and_say_what_they_skipped(client, editor):
    ready = PostFactory(title="Ready", status=Post.Status.IN_REVIEW)
    unready = PostFactory(title="Unready", status=Post.Status.IN_REVIEW, description="")
    client.force_login(editor)

    response = client.post(
        "/admin/blog/post/",
        {"action": "publish_now", "_selected_action": [ready.pk, unready.pk]},
        follow=True,
    )

    text = " ".join(str(m) for m in response.context["messages"])
    assert "Publish now: 1 post." in text
    assert "Not changed: “Unready”: Add a description before publishing" in text
    assert Post.objects.get(pk=ready.pk).is_published()
    assert Post.objects.get(pk=unready.pk).status == Post.Status.IN_REVIEW


def test_publish_actions_are_not_offered_to_contributors(client, contributor):
    PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    client.force_login(contributor)

    html = client.get("/admin/blog/post/").content.decode()

    assert 'value="submit_for_review"' in html
    assert 'value="publish_now"' not in html and 'value="archive"' not in html


def test_workflow_buttons_offer_only_allowed_steps(client, contributor, author):
    post = PostFactory(authors=[contributor, author], status=Post.Status.DRAFT)

    client.force_login(contributor)
    as_contributor = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    client.force_login(author)
    as_author = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()

    assert 'value="submit"' in as_contributor and 'value="publish"' not in as_contributor
    assert 'value="publish"' in as_author and 'value="schedule"' in as_author


def test_my_posts_filter(client, editor):
    PostFactory(title="Edith's own", authors=[editor])
    PostFactory(title="Someone else's")
    client.force_login(editor)

    mine = client.get("/admin/blog/post/?mine=1").content.decode()

    assert "Edith&#x27;s own" in mine and "Someone else" not in mine


def test_every_admin_save_keeps_a_revision_with_tags_faqs_and_who(client, editor):
    post = PostFactory(tags=["one"])
    FAQFactory(post=post, question="Old question?")
    client.force_login(editor)

    change(client, post, title="New title", tags="one, two")
    change(client, post, title="New title", tags="one, two")  # nothing changed: no revision

    revision = post.revisions.get()
    assert revision.by == editor
    assert revision.data["title"] == "New title"
    assert revision.data["tags"] == ["one", "two"]
    assert revision.data["faqs"] == [{"question": "Old question?", "answer": FAQFactory.answer}]


def test_the_revisions_page_shows_a_readable_diff(client, editor):
    post = PostFactory(title="First title", body="Line one\nLine two")
    post.save_with_history(by=editor)
    post.title = "Second title"
    post.body = "Line one\nLine 2"
    post.save()
    post.tags.add("added-tag")
    post.save_with_history(by=editor)
    client.force_login(editor)

    html = client.get(f"/admin/blog/post/{post.pk}/revisions/?a=1&b=2").content.decode()

    assert '<del class="diff__del">First title</del>' in html
    assert '<ins class="diff__ins">Second title</ins>' in html
    assert '<del class="diff__del">Line two</del>' in html
    assert '<ins class="diff__ins">added-tag</ins>' in html


def test_restoring_a_revision_brings_back_text_tags_and_faqs_but_not_the_status(client, editor):
    post = PostFactory(title="Original", tags=["keep"])
    FAQFactory(post=post, question="Original question?")
    post.save_with_history()
    post.title = "Rewritten"
    post.status = Post.Status.ARCHIVED
    post.save()
    post.tags.set(["other"])
    post.faqs.all().delete()
    post.save_with_history()
    client.force_login(editor)

    client.post(f"/admin/blog/post/{post.pk}/revisions/1/restore/", restore_form(post))

    post.refresh_from_db()
    assert post.title == "Original" and post.status == Post.Status.ARCHIVED
    assert list(post.tags.names()) == ["keep"]
    assert [f.question for f in post.faqs.all()] == ["Original question?"]
    assert post.revisions.first().note == "Restored revision 1"


def test_restore_needs_a_post(client, editor):
    post = PostFactory()
    post.save_with_history()
    client.force_login(editor)

    assert client.get(f"/admin/blog/post/{post.pk}/revisions/1/restore/").status_code == 302
    assert client.post(f"/admin/blog/post/{post.pk}/revisions/9/restore/").status_code == 404


def test_audit_trail_admin_is_read_only(client, editor, superuser):
    post = PostFactory()
    post.state_changes.create(
        from_status=Post.Status.DRAFT, to_status=post.status, publish_at=post.publish_at, by=editor
    )
    client.force_login(superuser)

    assert client.get("/admin/blog/statechange/").status_code == 200
    assert client.get("/admin/blog/statechange/add/").status_code == 403


def test_a_refused_publish_keeps_what_was_typed_and_saves_nothing(client, author):
    post = PostFactory(authors=[author], status=Post.Status.DRAFT)
    client.force_login(author)

    response = change(client, post, _transition="publish", description="", body="New words")

    assert "New words" in response.content.decode()
    assert Post.objects.get(pk=post.pk).body != "New words"


def test_scheduling_again_at_the_same_time_saves_without_an_error(client, editor):
    when = timezone.localtime() + timedelta(days=2)
    post = PostFactory(publish_at=when)
    client.force_login(editor)
    fields = {"publish_at_0": when.strftime("%Y-%m-%d"), "publish_at_1": when.strftime("%H:%M:%S")}

    response = change(client, post, _transition="schedule", title="Retitled", **fields)

    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).title == "Retitled"
