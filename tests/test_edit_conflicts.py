"""Two editors saving one post: a save begun from an older version is merged with the saves made
since, or refused with both sides shown; never does it silently replace newer content. Plain
form POSTs, as a browser without JavaScript sends them."""

import re
import threading
import time
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection, connections, transaction
from django.test import Client

from blog.models import FAQ, Post
from tests.factories import FAQFactory, PostFactory, TopicFactory, UserFactory
from tests.helpers import import_posts

pytestmark = pytest.mark.django_db

BODY = (
    "## One\n\nThe first paragraph.\n\n## Two\n\nThe second paragraph.\n\n## Three\n\nThe third.\n"
)


class _FormValues(HTMLParser):
    """What a browser sends for the post form as the page has it (no button pressed)."""

    def __init__(self):
        super().__init__()
        self.data, self.in_form, self.textarea, self.select = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "post_form":
            self.in_form = True
        if not self.in_form or "name" not in attrs and tag != "option":
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind not in ("submit", "file", "button"):
            if kind not in ("checkbox", "radio"):
                self.data.append((attrs["name"], attrs.get("value", "")))
            elif "checked" in attrs:
                self.data.append((attrs["name"], attrs.get("value", "on")))
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.append((self.select, attrs.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.data.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None
        elif tag == "select":
            self.select = None


def form_values(response):
    parser = _FormValues()
    parser.feed(response.content.decode())
    values = {}
    for name, value in parser.data:
        if "__prefix__" not in name:
            values.setdefault(name, []).append(value)
    return values


def open_form(client, post):
    response = client.get(f"/admin/blog/post/{post.pk}/change/")
    assert response.status_code == 200
    return form_values(response)


def save(client, post, values, **changes):
    data = {**values, **{name: [value] for name, value in changes.items()}}
    data.setdefault("_save", ["Save"])
    return client.post(f"/admin/blog/post/{post.pk}/change/", data)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _editor(username, name):
    user = UserFactory(username=username, display_name=name, is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def ann(db):
    return _editor("ann", "Ann Archer")


@pytest.fixture
def bob(db):
    return _editor("bob", "Bob Baker")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def saved_post(ann, **fields):
    """A post as the admin leaves it: saved with history, so each version's content is kept."""
    post = PostFactory(body=BODY, authors=[ann], **fields)
    post.save_with_history(by=ann)
    return post


def stored(post):
    return Post.objects.get(pk=post.pk)


def test_two_editors_changing_different_paragraphs_both_keep_their_edits(ann, bob):
    post = saved_post(ann, tags=["bread"])
    first, second = logged_in(ann), logged_in(bob)
    ann_form, bob_form = open_form(first, post), open_form(second, post)

    body = ann_form["body"][0]
    ann_saved = save(first, post, ann_form, body=body.replace("first paragraph", "FIRST, by Ann"))
    bob_saved = save(second, post, bob_form, body=body.replace("The third.", "Third, by Bob."))

    assert ann_saved.status_code == bob_saved.status_code == 302
    body = stored(post).body
    assert "FIRST, by Ann" in body and "Third, by Bob." in body
    assert (
        f"Ann Archer saved “{post.title}” while you were editing it: their changes (body) are "
        "merged with yours."
    ) in messages_of(bob_saved)
    page = logged_in(bob).get(stored(post).get_absolute_url()).content.decode()
    assert "FIRST, by Ann" in page and "Third, by Bob." in page


def test_the_second_editor_of_the_same_line_is_shown_the_conflict_and_nothing_is_saved(ann, bob):
    post = saved_post(ann)
    first, second = logged_in(ann), logged_in(bob)
    ann_form, bob_form = open_form(first, post), open_form(second, post)
    body = ann_form["body"][0]

    save(first, post, ann_form, body=body.replace("The second paragraph.", "Ann's second."))
    refused = save(second, post, bob_form, body=body.replace("The second paragraph.", "Bob's."))

    # 409 Conflict, not 200: the form is shown again, but the save was refused because of
    # another save, not a mistake in the form (and nothing was written).
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Ann Archer saved this post while you were editing it" in page
    assert "nothing was saved" in page
    panel = page[page.index('class="conflict-panel"') : page.index("</section>")]
    assert "Ann&#x27;s second." in panel and "Bob&#x27;s." in panel
    again = form_values(refused)
    assert "Bob's." in again["body"][0]  # the editor's own text, kept in the form
    assert "Ann's second." in stored(post).body and "Bob's." not in stored(post).body

    # Resolved in the form (now based on the stored version), the next save goes through.
    resolved = again["body"][0].replace("Bob's.", "Ann's and Bob's second.")
    assert save(second, post, again, body=resolved).status_code == 302
    assert "Ann's and Bob's second." in stored(post).body


def test_settling_a_conflict_keeps_their_changes_that_did_not_clash(ann, bob):
    post = saved_post(ann, tags=["bread"])
    FAQFactory(post=post, question="Why?", answer="Because.", order=1)
    post.save_with_history(by=ann)
    first, second = logged_in(ann), logged_in(bob)
    ann_form, bob_form = open_form(first, post), open_form(second, post)
    body = ann_form["body"][0]

    ann_changes = {
        "title": "Ann's title",
        "tags": "bread, rye",
        "body": body.replace("The third.", "Ann's third."),
        "faqs-0-answer": "Ann's answer.",
    }
    save(first, post, ann_form, **ann_changes)
    refused = save(second, post, bob_form, body=body.replace("The third.", "Bob's third."))

    assert refused.status_code == 409
    again = form_values(refused)
    assert again["title"] == ["Ann's title"] and again["faqs-0-answer"] == ["Ann's answer."]
    settled = again["body"][0].replace("Bob's third.", "Ann's and Bob's third.")
    assert save(second, post, again, body=settled).status_code == 302
    post = stored(post)
    assert post.title == "Ann's title" and sorted(post.tags.names()) == ["bread", "rye"]
    assert list(post.faqs.values_list("answer", flat=True)) == ["Ann's answer."]
    assert "Ann's and Bob's third." in post.body


def test_a_conflict_shows_their_topics_and_publish_time_in_the_form(ann, bob):
    cooking = TopicFactory(name="Cooking")
    post = saved_post(ann)
    first, second = logged_in(ann), logged_in(bob)
    ann_form, bob_form = open_form(first, post), open_form(second, post)
    body = ann_form["body"][0]

    save(first, post, ann_form, topics=str(cooking.pk), publish_at_1="08:30:00",
         body=body.replace("The third.", "Ann's."))  # fmt: skip
    ann_form_now = open_form(first, post)
    refused = save(second, post, bob_form, body=body.replace("The third.", "Bob's."))

    assert refused.status_code == 409
    again = form_values(refused)
    assert again["topics"] == [str(cooking.pk)]
    assert again["publish_at_1"] == ann_form_now["publish_at_1"] == ["08:30:00"]
    assert again["version"] == ann_form_now["version"]


def test_fields_no_revision_keeps_merge_over_what_the_form_showed(ann, bob):
    post = saved_post(ann)
    first, second = logged_in(ann), logged_in(bob)
    ann_form, bob_form = open_form(first, post), open_form(second, post)

    save(first, post, ann_form, canonical_url="https://example.org/first/")
    merged = save(second, post, bob_form, featured_image_alt="A loaf on a board")
    third = open_form(second, post)
    save(first, post, open_form(first, post), canonical_url="https://example.org/ann/")
    clash = save(second, post, third, canonical_url="https://example.org/bob/")

    assert merged.status_code == 302 and clash.status_code == 409
    post = stored(post)
    assert post.canonical_url == "https://example.org/ann/"
    assert post.featured_image_alt == "A loaf on a board"


def test_a_title_changed_by_one_and_tags_by_the_other_are_both_kept(ann, bob):
    post = saved_post(ann, tags=["bread"])
    first, second = logged_in(ann), logged_in(bob)
    ann_form, bob_form = open_form(first, post), open_form(second, post)

    save(first, post, ann_form, title="A better title")
    response = save(second, post, bob_form, tags="bread, rye")

    assert response.status_code == 302
    post = stored(post)
    assert post.title == "A better title"
    assert sorted(post.tags.names()) == ["bread", "rye"]
    assert any("their changes (title)" in message for message in messages_of(response))


def test_a_title_changed_differently_by_both_is_a_conflict(ann, bob):
    post = saved_post(ann)
    first, second = logged_in(ann), logged_in(bob)
    ann_form, bob_form = open_form(first, post), open_form(second, post)

    save(first, post, ann_form, title="Ann's title")
    response = save(second, post, bob_form, title="Bob's title", tags="rye")

    assert response.status_code == 409
    assert form_values(response)["title"] == ["Bob's title"]
    assert stored(post).title == "Ann's title"
    assert list(stored(post).tags.names()) == []


def test_faqs_merge_row_by_row(ann, bob):
    post = saved_post(ann)
    FAQFactory(post=post, question="Why?", answer="Because.", order=1)
    FAQFactory(post=post, question="How?", answer="Slowly.", order=2)
    post.save_with_history(by=ann)  # the FAQs in a revision, as a form save would keep them
    first, second = logged_in(ann), logged_in(bob)
    ann_form, bob_form = open_form(first, post), open_form(second, post)

    save(first, post, ann_form, **{"faqs-0-answer": "Because it rises."})
    response = save(
        second,
        post,
        bob_form,
        **{
            "faqs-TOTAL_FORMS": "3",
            "faqs-2-question": "When?",
            "faqs-2-answer": "In the morning.",
            "faqs-2-order": "3",
        },
    )

    assert response.status_code == 302
    rows = list(FAQ.objects.filter(post=post).order_by("order").values_list("question", "answer"))
    assert rows == [
        ("Why?", "Because it rises."),
        ("How?", "Slowly."),
        ("When?", "In the morning."),
    ]


def test_a_stale_back_to_draft_does_not_undo_a_newer_publish(ann, bob):
    post = saved_post(ann, status=Post.Status.IN_REVIEW)
    first, second = logged_in(ann), logged_in(bob)
    ann_form, bob_form = open_form(first, post), open_form(second, post)

    published = save(first, post, ann_form, _transition="publish")
    response = save(second, post, bob_form, _transition="draft")

    assert published.status_code == 302
    assert response.status_code == 409
    assert "Status" in response.content.decode()
    assert stored(post).status == Post.Status.PUBLISHED


def test_a_stale_save_without_a_workflow_button_keeps_the_newer_publish(ann, bob):
    post = saved_post(ann, status=Post.Status.IN_REVIEW)
    first, second = logged_in(ann), logged_in(bob)
    ann_form, bob_form = open_form(first, post), open_form(second, post)

    save(first, post, ann_form, _transition="publish")
    response = save(second, post, bob_form, description="Bob's description.")

    assert response.status_code == 302
    post = stored(post)
    assert post.status == Post.Status.PUBLISHED and post.description == "Bob's description."


def test_a_form_that_does_not_say_its_version_saves_nothing(ann):
    post = saved_post(ann)
    client = logged_in(ann)
    values = open_form(client, post)
    del values["version"]

    response = save(client, post, values, title="Blind")

    assert response.status_code == 200
    assert "does not say which version" in response.content.decode()
    assert stored(post).title == post.title


def test_restoring_a_revision_from_an_outdated_page_is_refused(ann, bob):
    post = saved_post(ann)
    post.title = "Second title"
    post.save_with_history(by=ann)
    page = logged_in(bob).get(f"/admin/blog/post/{post.pk}/revisions/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    save(logged_in(ann), post, open_form(logged_in(ann), post), title="Third title")

    url = f"/admin/blog/post/{post.pk}/revisions/1/restore/"
    stale = logged_in(bob).post(url, {"version": version}, follow=True)
    current = logged_in(bob).post(url, {"version": stored(post).version}, follow=True)

    assert "was not restored: the post was saved since" in stale.content.decode()
    assert "Ann Archer" in stale.content.decode()
    assert "Restored revision 1" in current.content.decode()
    assert stored(post).title == Post.objects.get(pk=post.pk).revisions.get(number=1).data["title"]


def test_a_bulk_action_acts_on_the_post_as_it_is_now(ann, bob):
    post = saved_post(ann, status=Post.Status.IN_REVIEW)
    listing = logged_in(bob)
    listing.get("/admin/blog/post/")
    save(logged_in(ann), post, open_form(logged_in(ann), post), title="Edited meanwhile")

    listing.post(
        "/admin/blog/post/",
        {"action": "back_to_draft", "_selected_action": [post.pk], "index": "0"},
    )

    post = stored(post)
    assert post.status == Post.Status.DRAFT and post.title == "Edited meanwhile"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_the_same_line_never_both_win(ann, bob):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks that wait: PostgreSQL")
    post = saved_post(ann)
    clients = {"Ann": logged_in(ann), "Bob": logged_in(bob)}
    forms = {name: open_form(client, post) for name, client in clients.items()}
    start, results = threading.Barrier(2), {}

    def edit(name):
        try:
            body = forms[name]["body"][0].replace("The first paragraph.", f"{name} was here.")
            start.wait()
            results[name] = save(clients[name], post, forms[name], body=body).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=[name]) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results.values()) == [302, 409]
    (winner,) = [name for name, status in results.items() if status == 302]
    (loser,) = [name for name, status in results.items() if status == 409]
    body = stored(post).body
    assert f"{winner} was here." in body and f"{loser} was here." not in body


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_different_paragraphs_both_go_in(ann, bob):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks that wait: PostgreSQL")
    post = saved_post(ann)
    clients = {"Ann": logged_in(ann), "Bob": logged_in(bob)}
    forms = {name: open_form(client, post) for name, client in clients.items()}
    lines = {"Ann": "The first paragraph.", "Bob": "The third."}
    start, results = threading.Barrier(2), {}

    def edit(name):
        try:
            body = forms[name]["body"][0].replace(lines[name], f"{name} was here.")
            start.wait()
            results[name] = save(clients[name], post, forms[name], body=body).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=[name]) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == {"Ann": 302, "Bob": 302}
    body = stored(post).body
    assert "Ann was here." in body and "Bob was here." in body
    assert stored(post).version == post.version + 2


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_an_edit_in_progress_and_does_not_replace_it(ann, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks that wait: PostgreSQL")
    source = tmp_path / "loaf.md"
    source.write_text("---\ntitle: Loaf\nslug: loaf\n---\n\nFirst words.\n")
    import_posts(source)
    source.write_text("---\ntitle: Loaf\nslug: loaf\n---\n\nWords from the file.\n")
    editing, outcome = threading.Event(), {}

    def run_import():
        editing.wait()
        try:
            outcome["out"] = import_posts(source)
        finally:
            connections.close_all()

    importer = threading.Thread(target=run_import)
    importer.start()
    with transaction.atomic():
        post = Post.objects.select_for_update().get(slug="loaf")
        editing.set()
        time.sleep(1)  # the import reads the post meanwhile: it waits for this edit
        post.body = "Words written here."
        post.save_with_history(by=ann)
    importer.join()

    _, err, error = outcome["out"]
    assert "was edited here since it was imported" in err and error
    assert stored(post).body == "Words written here."
