"""Autosave and presence in the post form (issue 11), through HTTP as the form's script uses
them: each editor's unsaved changes kept as their own draft, offered back (after logging out
and in again too) and discarded on save; who else has the post open, until they stop saying
so; and every endpoint refused to whoever may not edit the post."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from blog.models import EditorDraft, EditorPresence, Post
from tests.factories import PostFactory, UserFactory
from tests.helpers import post_form

pytestmark = pytest.mark.django_db

OFFER = "You have unsaved changes from"
KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def other_editor(db):
    user = UserFactory(username="ann", display_name="Ann Lee", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def post(editor):
    return PostFactory(title="Soil in winter", body="The saved body.", authors=[editor])


def draft_url(post):
    return f"/admin/blog/post/{post.pk}/draft/"


def autosave(client, post, **fields):
    return client.post(draft_url(post), {"fields": fields}, content_type="application/json")


def autosave_new(client, key=KEY, **fields):
    return client.post(
        "/admin/blog/post/add/draft/",
        {"key": key, "fields": fields},
        content_type="application/json",
    )


def heartbeat(client, post):
    return client.post(f"/admin/blog/post/{post.pk}/presence/")


def change_form(client, post):
    return client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()


def offered_draft(html):
    """The draft the form offers back, as its script reads it, or None."""
    found = re.search(
        r'<script id="post-editing-draft" type="application/json">(.*?)</script>', html
    )
    return json.loads(found[1]) if found else None


def log_in(client, user):
    response = client.post(
        "/admin/login/", {"username": user.username, "password": "pass-word-123", "next": "/admin/"}
    )
    assert response.status_code == 302, response.content


# Autosave ---------------------------------------------------------------------------------


def test_autosave_keeps_unsaved_changes_and_the_form_offers_them_back(client, editor, post):
    client.force_login(editor)

    response = autosave(client, post, title="Soil in winter", body="Half a new paragraph")

    assert response.status_code == 200
    assert response.json()["saved_display"]
    html = change_form(client, post)
    assert OFFER in html
    assert offered_draft(html)["fields"]["body"] == "Half a new paragraph"
    assert client.get(draft_url(post)).json()["draft"]["fields"]["body"] == "Half a new paragraph"


def test_autosave_is_not_a_save_the_post_and_its_history_stay_as_they_were(client, editor, post):
    before = Post.objects.values("body", "updated_at").get(pk=post.pk)
    revisions = post.revisions.count()
    client.force_login(editor)

    autosave(client, post, body="Not saved yet")

    assert Post.objects.values("body", "updated_at").get(pk=post.pk) == before
    assert post.revisions.count() == revisions
    assert "Not saved yet" not in client.get(post.get_absolute_url()).content.decode()


def test_the_form_offers_no_draft_when_there_is_none(client, editor, post):
    client.force_login(editor)

    html = change_form(client, post)

    assert OFFER not in html and offered_draft(html) is None
    assert 'id="post-editing"' in html  # the script still runs: presence, autosave


def test_another_editor_never_sees_my_draft(client, editor, other_editor, post):
    client.force_login(editor)
    autosave(client, post, body="My secret unsaved thoughts")

    other = Client()
    other.force_login(other_editor)
    html = change_form(other, post)

    assert OFFER not in html and "My secret unsaved thoughts" not in html
    assert other.get(draft_url(post)).json() == {"draft": None}


def test_a_second_autosave_replaces_the_first(client, editor, post):
    client.force_login(editor)

    autosave(client, post, body="First")
    autosave(client, post, body="First and second")

    assert EditorDraft.objects.get(user=editor, post=post).fields == {"body": "First and second"}


def test_saving_the_form_discards_my_draft_and_only_mine(client, editor, other_editor, post):
    client.force_login(editor)
    autosave(client, post, body="Typed, then saved")
    other = Client()
    other.force_login(other_editor)
    autosave(other, post, body="Ann's unsaved words")

    response = client.post(
        f"/admin/blog/post/{post.pk}/change/", post_form(post, body="Typed, then saved")
    )

    assert response.status_code == 302
    assert not EditorDraft.objects.filter(user=editor).exists()
    assert OFFER not in change_form(client, post)
    assert EditorDraft.objects.get(user=other_editor).fields["body"] == "Ann's unsaved words"


def test_a_form_refused_for_its_errors_keeps_the_draft(client, editor, post):
    client.force_login(editor)
    autosave(client, post, body="Worth keeping")

    response = client.post(f"/admin/blog/post/{post.pk}/change/", post_form(post, title=""))

    assert response.status_code == 200  # the form again, with its error
    assert EditorDraft.objects.filter(user=editor, post=post).exists()


def test_autosaved_text_comes_back_after_the_session_ends(client, editor, post):
    log_in(client, editor)
    autosave(client, post, body="Typed before the laptop died")
    client.post("/admin/logout/")
    assert client.get(f"/admin/blog/post/{post.pk}/change/").status_code == 302  # logged out

    log_in(client, editor)
    html = change_form(client, post)

    assert OFFER in html
    assert offered_draft(html)["fields"]["body"] == "Typed before the laptop died"


def test_the_offer_says_when_the_post_was_saved_after_the_draft(client, editor, post):
    client.force_login(editor)
    autosave(client, post, body="Older than the save")

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        post.body = "Someone saved"
        post.save_with_history(by=editor)
        html = change_form(client, post)

    assert OFFER in html and "the post was saved after that" in html


def test_a_new_posts_draft_is_offered_on_the_add_form_and_discarded_when_it_is_saved(
    client, editor
):
    client.force_login(editor)
    assert autosave_new(client, title="Never saved", body="A new post's words").status_code == 200

    html = client.get("/admin/blog/post/add/").content.decode()
    assert OFFER in html
    assert offered_draft(html)["key"] == KEY
    assert offered_draft(html)["fields"]["body"] == "A new post's words"

    response = client.post("/admin/blog/post/add/", post_form(title="Never saved", _draft_key=KEY))

    assert response.status_code == 302
    assert Post.objects.filter(title="Never saved").exists()
    assert not EditorDraft.objects.exists()


def test_a_user_keeps_only_their_five_newest_new_post_drafts(client, editor):
    client.force_login(editor)

    for n in range(7):
        autosave_new(client, key=f"{n:032x}", body=f"Draft {n}")

    kept = EditorDraft.objects.filter(user=editor).values_list("fields__body", flat=True)
    assert sorted(kept) == [f"Draft {n}" for n in range(2, 7)]


def test_discarding_a_draft_deletes_it(client, editor, post):
    client.force_login(editor)
    autosave(client, post, body="Changed my mind")
    autosave_new(client, body="Changed my mind too")

    assert client.post(f"/admin/blog/post/{post.pk}/draft/discard/").status_code == 200
    assert (
        client.post(
            "/admin/blog/post/add/draft/discard/", {"key": KEY}, content_type="application/json"
        ).status_code
        == 200
    )

    assert not EditorDraft.objects.exists()
    assert OFFER not in change_form(client, post)


def test_a_body_over_the_post_limit_is_refused_and_not_kept(client, editor, post, settings):
    settings.BYLINE_MARKDOWN_MAX_CHARS = 1_000
    client.force_login(editor)

    response = autosave(client, post, body="x" * 1_001)

    assert response.status_code == 413
    assert "the limit is 1,000" in response.json()["error"]
    assert not EditorDraft.objects.exists()


def test_a_request_larger_than_any_post_form_is_refused_before_it_is_read(
    client, editor, post, settings
):
    settings.BYLINE_MARKDOWN_MAX_CHARS = 1_000
    client.force_login(editor)

    response = autosave(client, post, title="t" * 9_000)

    assert response.status_code == 413
    assert not EditorDraft.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        json.dumps(["a", "list"]),
        json.dumps({"fields": "text"}),
        json.dumps({"fields": {"body": {"nested": "object"}}}),
        json.dumps({"fields": {"body": 12}}),
        json.dumps({"fields": {"n" * 201: "name too long"}}),
        json.dumps({"fields": {f"f{n}": "" for n in range(2_001)}}),
        '{"fields": {"body": "\\ud800 a lone surrogate"}}',
        # Nested deeper than the JSON parser recurses: refused, not a server error.
        '{"fields": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
)
def test_what_no_form_sends_is_refused_and_not_kept(client, editor, post, payload):
    client.force_login(editor)

    response = client.post(draft_url(post), payload, content_type="application/json")

    assert response.status_code == 400
    assert "error" in response.json()
    assert not EditorDraft.objects.exists()


@pytest.mark.parametrize("key", ["", "short", "../../etc", "G" * 32, "a" * 41, None, 7])
def test_a_new_post_draft_needs_a_key_the_form_made(client, editor, key):
    client.force_login(editor)

    assert autosave_new(client, key=key, body="words").status_code == 400
    assert not EditorDraft.objects.exists()


def test_nul_characters_are_dropped_from_a_draft(client, editor, post):
    client.force_login(editor)

    assert autosave(client, post, body="before\x00after").status_code == 200

    assert EditorDraft.objects.get().fields == {"body": "beforeafter"}


def test_autosave_needs_the_csrf_token_the_form_carries(editor, post):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    html = change_form(client, post)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    forged = autosave(client, post, body="Forged")
    assert forged.status_code == 403
    assert not EditorDraft.objects.exists()

    sent = client.post(
        draft_url(post),
        {"fields": {"body": "From the form"}},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert sent.status_code == 200
    assert EditorDraft.objects.get().fields == {"body": "From the form"}


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_writes_only_by_post(client, editor, post, method):
    client.force_login(editor)

    response = getattr(client, method)(draft_url(post), "{}", content_type="application/json")

    assert response.status_code == 405
    assert not EditorDraft.objects.exists()


def test_presence_and_discarding_refuse_get(client, editor, post):
    client.force_login(editor)

    for url in ("presence/", "presence/leave/", "draft/discard/"):
        assert client.get(f"/admin/blog/post/{post.pk}/{url}").status_code == 405, url
    assert not EditorPresence.objects.exists()


# Presence ---------------------------------------------------------------------------------


def test_presence_names_the_other_editors_of_the_post_and_since_when(
    client, editor, other_editor, post
):
    ann = Client()
    ann.force_login(other_editor)
    opened = timezone.now().replace(microsecond=0)
    with time_machine.travel(opened, tick=False):
        assert heartbeat(ann, post).json() == {"others": []}  # alone at first
    client.force_login(editor)

    with time_machine.travel(opened + timedelta(seconds=20), tick=False):
        others = heartbeat(client, post).json()["others"]

    assert [other["name"] for other in others] == ["Ann Lee"]
    assert others[0]["since"] == opened.isoformat()
    assert others[0]["since_display"]
    assert [o["name"] for o in heartbeat(ann, post).json()["others"]] == [editor.name]


def test_presence_on_one_post_is_not_shown_on_another(client, editor, other_editor, post):
    ann = Client()
    ann.force_login(other_editor)
    heartbeat(ann, PostFactory())
    client.force_login(editor)

    assert heartbeat(client, post).json() == {"others": []}


def test_presence_expires_thirty_seconds_after_the_last_heartbeat(
    client, editor, other_editor, post
):
    ann = Client()
    ann.force_login(other_editor)
    client.force_login(editor)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        heartbeat(ann, post)
    with time_machine.travel(start + timedelta(seconds=29), tick=False):
        assert len(heartbeat(client, post).json()["others"]) == 1

    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert heartbeat(client, post).json() == {"others": []}

    assert not EditorPresence.objects.filter(user=other_editor).exists()  # cleaned up


def test_presence_renewed_in_time_keeps_its_start(client, editor, other_editor, post):
    ann = Client()
    ann.force_login(other_editor)
    client.force_login(editor)
    start = timezone.now().replace(microsecond=0)
    for seconds in range(0, 120, 10):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            heartbeat(ann, post)

    with time_machine.travel(start + timedelta(seconds=115), tick=False):
        (ann_present,) = heartbeat(client, post).json()["others"]

    assert ann_present["since"] == start.isoformat()


def test_leaving_the_form_ends_presence_at_once(client, editor, other_editor, post):
    ann = Client()
    ann.force_login(other_editor)
    heartbeat(ann, post)

    assert ann.post(f"/admin/blog/post/{post.pk}/presence/leave/").status_code == 200

    client.force_login(editor)
    assert heartbeat(client, post).json() == {"others": []}


def test_presence_sends_names_as_text_for_the_script_to_show_as_text(client, editor, post):
    mallory = UserFactory(display_name="<img src=x onerror=alert(1)>", is_staff=True)
    mallory.groups.add(Group.objects.get(name="Editor"))
    other = Client()
    other.force_login(mallory)
    heartbeat(other, post)
    client.force_login(editor)

    response = heartbeat(client, post)

    assert response["Content-Type"] == "application/json"
    assert response.json()["others"][0]["name"] == "<img src=x onerror=alert(1)>"


def test_an_open_form_left_alone_does_not_keep_an_idle_session_alive(
    client, editor, post, settings
):
    """The script's heartbeat is the page talking, not the editor: an unattended form must not
    stop the session from ending after the idle time (accounts/middleware.py)."""
    settings.BYLINE_SESSION_IDLE_SECONDS = settings.SESSION_COOKIE_AGE = 600
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(editor)
        assert client.get(f"/admin/blog/post/{post.pk}/change/").status_code == 200
        for _ in range(11 * 6):  # eleven minutes of heartbeats, every ten seconds
            clock.shift(timedelta(seconds=10))
            heartbeat(client, post)

        assert client.get("/admin/").status_code == 302  # logged out: sent to log in


# Who may ----------------------------------------------------------------------------------


def endpoints(post):
    """Every editing endpoint of a post, with a request body that would store something."""
    body = json.dumps({"fields": {"body": "Slipped in"}})
    return [
        ("get", f"/admin/blog/post/{post.pk}/draft/", None),
        ("post", f"/admin/blog/post/{post.pk}/draft/", body),
        ("post", f"/admin/blog/post/{post.pk}/draft/discard/", "{}"),
        ("post", f"/admin/blog/post/{post.pk}/presence/", "{}"),
        ("post", f"/admin/blog/post/{post.pk}/presence/leave/", "{}"),
    ]


def call(client, method, url, body):
    if method == "get":
        return client.get(url)
    return client.post(url, body, content_type="application/json")


def test_anonymous_visitors_are_sent_to_log_in_and_nothing_is_kept(client, post):
    for method, url, body in endpoints(post):
        response = call(client, method, url, body)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url
    response = autosave_new(client, body="Slipped in")
    assert response.status_code == 302

    assert not EditorDraft.objects.exists() and not EditorPresence.objects.exists()


def test_a_contributor_cannot_autosave_into_read_or_watch_someone_elses_draft(
    client, contributor, editor
):
    owners = PostFactory(title="Owen's draft", status=Post.Status.DRAFT)
    ann = Client()
    ann.force_login(editor)
    heartbeat(ann, owners)  # an editor has it open
    client.force_login(contributor)

    for method, url, body in endpoints(owners):
        response = call(client, method, url, body)
        assert response.status_code == 404, url
        assert editor.name not in response.content.decode()

    assert not EditorDraft.objects.exists()
    assert list(EditorPresence.objects.values_list("user", flat=True)) == [editor.pk]


def test_a_contributor_cannot_autosave_into_their_own_post_once_published(
    client, contributor, editor
):
    theirs = PostFactory(title="Out in the world", authors=[contributor])
    client.force_login(contributor)
    assert not theirs.can_edit(contributor)
    ann = Client()
    ann.force_login(editor)
    heartbeat(ann, theirs)

    for method, url, body in endpoints(theirs):
        response = call(client, method, url, body)
        assert response.status_code == 403, url
        assert response.json() == {"error": "You may not edit this post."}

    assert not EditorDraft.objects.exists()
    assert list(EditorPresence.objects.values_list("user", flat=True)) == [editor.pk]
    assert 'id="post-editing"' not in change_form(client, theirs)  # read-only: no script


def test_a_draft_kept_while_the_post_was_editable_is_not_offered_once_it_is_not(
    client, contributor, editor
):
    theirs = PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    client.force_login(contributor)
    assert autosave(client, theirs, body="Still mine").status_code == 200

    theirs.apply_transition("publish")
    theirs.save_with_history(by=editor)

    html = change_form(client, theirs)
    assert OFFER not in html and "Still mine" not in html
    assert client.get(draft_url(theirs)).status_code == 403


def test_a_contributor_autosaves_into_their_own_draft(client, contributor):
    theirs = PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    client.force_login(contributor)

    assert autosave(client, theirs, body="Mine").status_code == 200
    assert heartbeat(client, theirs).status_code == 200


def test_staff_who_may_not_add_posts_cannot_keep_a_new_post_draft(client):
    client.force_login(UserFactory(is_staff=True))

    response = autosave_new(client, body="Slipped in")

    assert response.status_code == 403
    assert client.get(f"/admin/blog/post/add/draft/?key={KEY}").status_code == 403
    assert not EditorDraft.objects.exists()


def test_discarding_never_reaches_another_users_draft(client, editor, other_editor, post):
    client.force_login(editor)
    autosave(client, post, body="Mine")
    autosave_new(client, body="Mine too")
    ann = Client()
    ann.force_login(other_editor)

    ann.post(f"/admin/blog/post/{post.pk}/draft/discard/")
    ann.post("/admin/blog/post/add/draft/discard/", {"key": KEY}, content_type="application/json")
    ann.post("/admin/blog/post/add/", post_form(title="Ann's post", _draft_key=KEY))

    assert EditorDraft.objects.filter(user=editor).count() == 2
