"""Email notifications: editors hear of posts submitted for review, authors of their posts being
published, going live and sent back to draft, delivered to a real SMTP server on loopback."""

import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from blog import notifications
from blog.models import Post
from tests.factories import PostFactory, UserFactory
from tests.helpers import profile_form
from tests.mail import Mailbox, RefusingMailbox, smtp_server

pytestmark = pytest.mark.django_db

SITE = "https://news.example.com"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.BYLINE_SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "The Byline Review <noreply@news.example.com>"


@pytest.fixture
def mailbox(settings):
    handler = Mailbox()
    controller = smtp_server(settings, handler)
    yield handler
    controller.stop()


def _member(role, username, **fields):
    user = UserFactory(username=username, is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def people(db):
    return {
        "edith": _member("Editor", "edith", display_name="Edith Editor"),
        "eve": _member("Editor", "eve", display_name="Eve Editor"),
        "arthur": _member("Author", "arthur", display_name="Arthur Author"),
        "cora": _member("Contributor", "cora", display_name="Cora Coauthor"),
    }


def _move(post, name, by):
    """A workflow step as the admin takes it, with its recorded state change."""
    post.check_transition(name, by)
    post.apply_transition(name)
    post.save_with_history(by=by, note=name)
    return post


def _notify(kind, post, actor=None, **options):
    for recipient in notifications.recipients(kind, post, actor=actor):
        notifications.send(kind, post, recipient, actor=actor, **options)


def _draft(people, title="Growing beans on a balcony"):
    return PostFactory(
        title=title, status=Post.Status.DRAFT, authors=[people["arthur"], people["cora"]]
    )


def test_a_submitted_post_is_mailed_to_every_editor(mailbox, people):
    post = _move(_draft(people), "submit", people["arthur"])

    _notify("post.submitted", post, actor=people["arthur"])

    assert mailbox.recipients == ["edith@example.com", "eve@example.com"]
    message = mailbox.messages[0]
    assert message["Subject"] == "Submitted for review: Growing beans on a balcony"
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    assert "Arthur Author submitted “Growing beans on a balcony” for review" in text
    assert f"Review it: {SITE}/admin/blog/post/{post.pk}/change/" in text
    assert "/posts/" not in text  # not public: no public link
    html = message.get_body(("html",)).get_content()
    assert f'href="{SITE}/admin/blog/post/{post.pk}/change/"' in html


def test_a_post_published_by_one_author_is_mailed_to_the_other(mailbox, people):
    post = _draft(people)
    _move(post, "publish", people["arthur"])

    _notify("post.published", post, actor=people["arthur"])

    assert mailbox.recipients == ["cora@example.com"]
    message = mailbox.messages[0]
    assert message["Subject"] == "Published: Growing beans on a balcony"
    text = message.get_body(("plain",)).get_content()
    assert "Arthur Author published “Growing beans on a balcony”" in text
    assert f"Read it on the site: {SITE}/posts/{post.slug}/" in text
    assert f"{SITE}/admin/blog/post/{post.pk}/change/" in text
    assert f"{SITE}/admin/accounts/user/{people['cora'].pk}/change/" in text  # the opt-out


def test_a_post_sent_back_to_draft_is_mailed_to_its_authors(mailbox, people):
    post = _move(_draft(people), "submit", people["arthur"])
    _move(post, "draft", people["edith"])

    _notify("post.returned_to_draft", post, actor=people["edith"])

    assert mailbox.recipients == ["arthur@example.com", "cora@example.com"]
    message = mailbox.messages[0]
    assert message["Subject"] == "Back to draft: Growing beans on a balcony"
    text = message.get_body(("plain",)).get_content()
    assert "Edith Editor sent “Growing beans on a balcony” back to draft" in text
    assert "/posts/" not in text


def test_a_scheduled_post_going_live_is_mailed_to_all_its_authors(mailbox, people):
    went_live = timezone.now() - timedelta(minutes=1)
    post = _draft(people)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED, publish_at=went_live)
    post.refresh_from_db()

    _notify("post.went_live", post)

    assert mailbox.recipients == ["arthur@example.com", "cora@example.com"]
    message = mailbox.messages[0]
    assert message["Subject"] == "Now live: Growing beans on a balcony"
    text = message.get_body(("plain",)).get_content()
    assert "“Growing beans on a balcony” went live as scheduled on" in text
    assert timezone.localtime(went_live).strftime("%H:%M") in text
    assert f"{SITE}/posts/{post.slug}/" in text


def test_the_editor_who_submits_their_own_post_is_not_told_of_it(mailbox, people):
    post = PostFactory(status=Post.Status.DRAFT, authors=[people["edith"]])
    _move(post, "submit", people["edith"])

    _notify("post.submitted", post, actor=people["edith"])

    assert mailbox.recipients == ["eve@example.com"]


def test_nobody_inactive_opted_out_without_email_or_outside_the_admin_is_mailed(mailbox, people):
    _member("Editor", "gone", is_active=False)
    _member("Editor", "quiet", email_notifications=False)
    _member("Editor", "nomail", email="")
    UserFactory(username="nostaff").groups.add(Group.objects.get(name="Editor"))
    post = _draft(people)
    people["cora"].email_notifications = False
    people["cora"].save()

    _notify("post.submitted", post, actor=people["arthur"])
    _notify("post.went_live", post)

    assert mailbox.recipients == ["arthur@example.com", "edith@example.com", "eve@example.com"]


def test_someone_who_opts_out_after_the_event_is_not_sent_the_queued_message(mailbox, people):
    post = _draft(people)
    (cora,) = [p for p in notifications.recipients("post.went_live", post) if p.username == "cora"]
    cora.email_notifications = False
    cora.save()

    assert notifications.send("post.went_live", post, cora) is False
    assert mailbox.envelopes == []


def test_the_message_id_is_the_one_given_on_every_retry(mailbox, people):
    post = _draft(people)

    for _ in range(2):
        notifications.send("post.went_live", post, people["cora"], message_id=42)
    notifications.send("post.went_live", post, people["cora"], message_id="<d-7@example.org>")

    ids = [message["Message-ID"] for message in mailbox.messages]
    assert ids == [
        "<notification.42@news.example.com>",
        "<notification.42@news.example.com>",
        "<d-7@example.org>",
    ]


def test_a_message_id_that_would_break_the_header_is_refused(people):
    with pytest.raises(ValueError):
        notifications.build_message(
            "post.went_live", _draft(people), people["cora"], message_id="1\r\nBcc: x@evil.test"
        )


def test_line_breaks_in_a_title_or_name_do_not_add_headers(mailbox, people):
    post = _draft(people, title="Beans\r\nBcc: victim@evil.test\r\nX-Injected: yes\n")
    people["cora"].display_name = "Cora\r\nCc: other@evil.test"
    people["cora"].save()

    notifications.send("post.published", post, people["cora"], actor=people["arthur"])

    assert mailbox.recipients == ["cora@example.com"]
    (message,) = mailbox.messages
    assert message["Subject"] == "Published: Beans Bcc: victim@evil.test X-Injected: yes"
    assert message["X-Injected"] is None and message["Bcc"] is None and message["Cc"] is None
    assert message["To"].addresses[0].addr_spec == "cora@example.com"


def test_html_part_escapes_titles_and_names(mailbox, people):
    post = _draft(people, title='<img src=x onerror="alert(1)"> & beans')
    people["arthur"].display_name = "<script>alert('name')</script>"
    people["arthur"].save()

    notifications.send("post.published", post, people["cora"], actor=people["arthur"])

    (message,) = mailbox.messages
    html = message.get_body(("html",)).get_content()
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; beans" in html
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in html
    text = message.get_body(("plain",)).get_content()
    assert '“<img src=x onerror="alert(1)"> & beans”' in text  # plain text stays as typed


def test_send_raises_when_the_mail_server_is_down(settings, people):
    controller = smtp_server(settings, Mailbox())
    controller.stop()

    with pytest.raises(OSError):
        notifications.send("post.went_live", _draft(people), people["cora"])


def test_send_raises_when_the_mail_server_refuses_the_recipient(settings, people):
    handler = RefusingMailbox()
    controller = smtp_server(settings, handler)
    try:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            notifications.send("post.went_live", _draft(people), people["cora"])
    finally:
        controller.stop()
    assert handler.envelopes == []


def test_a_writer_turns_their_own_notifications_off_in_their_profile(client, people):
    cora = people["cora"]  # a Contributor: may edit no one else's account
    client.force_login(cora)
    url = f"/admin/accounts/user/{cora.pk}/change/"

    page = client.get(url).content.decode()
    response = client.post(url, profile_form(cora, email_notifications=""))

    assert 'name="email_notifications"' in page and "Email notifications" in page
    assert response.status_code == 302
    cora.refresh_from_db()
    assert cora.email_notifications is False
    assert notifications.recipients("post.went_live", _draft(people)) == [people["arthur"]]


def test_an_editor_turns_a_writers_notifications_back_on(client, people):
    arthur = people["arthur"]
    arthur.email_notifications = False
    arthur.save()
    client.force_login(people["edith"])

    client.post(
        f"/admin/accounts/user/{arthur.pk}/change/",
        profile_form(arthur, email_notifications="on"),
    )

    arthur.refresh_from_db()
    assert arthur.email_notifications is True


def test_a_superuser_sees_the_preference_on_every_account(client, superuser, people):
    client.force_login(superuser)

    page = client.get(f"/admin/accounts/user/{people['cora'].pk}/change/").content.decode()

    assert 'name="email_notifications"' in page
