"""The editorial admin: every role can work in it, and only on what is theirs."""

import pytest

from blog.models import FAQ, Post, PostAuthor
from tests.factories import FAQFactory, PostFactory, TopicFactory
from tests.helpers import post_form

pytestmark = pytest.mark.django_db

ROLES = ["contributor", "author", "editor", "superuser"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_open_the_admin_pages_it_works_in(client, request, role):
    user = request.getfixturevalue(role)
    own = PostFactory(authors=[user])
    client.force_login(user)

    for url in (
        "/admin/",
        "/admin/blog/post/",
        "/admin/blog/post/add/",
        f"/admin/blog/post/{own.pk}/change/",
        "/admin/blog/post/?status__exact=draft",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["editor", "superuser"])
def test_editors_open_topic_tag_and_user_admin(client, request, role):
    client.force_login(request.getfixturevalue(role))
    topic = TopicFactory()

    for url in (
        "/admin/blog/topic/",
        f"/admin/blog/topic/{topic.pk}/change/",
        "/admin/taggit/tag/",
        "/admin/accounts/user/",
    ):
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/admin/blog/post/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", ["contributor", "author"])
def test_writers_see_only_their_own_posts(client, request, role):
    user = request.getfixturevalue(role)
    PostFactory(title="Mine to edit", authors=[user])
    others = PostFactory(title="Somebody else's", status=Post.Status.DRAFT)
    client.force_login(user)

    listing = client.get("/admin/blog/post/").content.decode()

    assert "Mine to edit" in listing and "Somebody else" not in listing
    assert client.get(f"/admin/blog/post/{others.pk}/change/").status_code == 302
    response = client.post(f"/admin/blog/post/{others.pk}/change/", post_form(others, title="X"))
    assert response.status_code in (302, 403)
    others.refresh_from_db()
    assert others.title == "Somebody else's"


def test_a_co_author_counts_as_an_owner(client, contributor):
    post = PostFactory(authors=[contributor], status=Post.Status.DRAFT)
    other = PostFactory(status=Post.Status.DRAFT)
    PostAuthor.objects.create(post=other, author=contributor, order=2)
    client.force_login(contributor)

    assert client.get(f"/admin/blog/post/{post.pk}/change/").status_code == 200
    assert client.get(f"/admin/blog/post/{other.pk}/change/").status_code == 200


def test_editor_sees_and_edits_every_post(client, editor):
    post = PostFactory(title="By someone", status=Post.Status.DRAFT)
    client.force_login(editor)

    response = client.post(f"/admin/blog/post/{post.pk}/change/", post_form(post, title="Edited"))

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Edited"


def test_contributor_cannot_publish_even_with_a_crafted_post(client, contributor):
    client.force_login(contributor)

    response = client.post("/admin/blog/post/add/", post_form(_transition="publish"))
    crafted = client.post("/admin/blog/post/add/", post_form(status="published"))

    assert response.status_code == 200
    assert "You may not publish now" in response.content.decode()
    assert crafted.status_code == 302  # the status field is not in the form: ignored
    assert list(Post.objects.values_list("status", flat=True)) == ["draft"]


def test_contributor_cannot_change_a_published_post(client, contributor):
    post = PostFactory(authors=[contributor], status=Post.Status.PUBLISHED)
    client.force_login(contributor)

    client.post(f"/admin/blog/post/{post.pk}/change/", post_form(post, title="Changed"))

    post.refresh_from_db()
    assert post.title != "Changed"


def test_author_can_publish_own_post(client, author):
    client.force_login(author)

    response = client.post("/admin/blog/post/add/", post_form(title="Ready", _transition="publish"))

    assert response.status_code == 302
    post = Post.objects.get()
    assert post.status == Post.Status.PUBLISHED
    assert list(post.authors.all()) == [author]


def test_new_post_gets_its_writer_as_author_rendered_body_and_slug(client, contributor):
    client.force_login(contributor)

    client.post("/admin/blog/post/add/", post_form(title="Fresh Ideas", body="## Hi\n\nThere."))

    post = Post.objects.get()
    assert post.slug == "fresh-ideas"
    assert '<h2 id="hi">Hi</h2>' in post.body_html
    assert list(post.authors.all()) == [contributor]


def test_inline_faqs_are_saved_in_the_order_given_and_renumbered(client, editor):
    post = PostFactory()
    client.force_login(editor)
    data = post_form(post) | {
        "faqs-TOTAL_FORMS": "3",
        "faqs-0-question": "Asked third?",
        "faqs-0-answer": "Yes.",
        "faqs-0-order": "30",
        "faqs-1-question": "Asked first?",
        "faqs-1-answer": "*Yes*.",
        "faqs-1-order": "5",
        "faqs-2-question": "Asked second, no number?",
        "faqs-2-answer": "Yes.",
        "faqs-2-order": "",
    }

    response = client.post(f"/admin/blog/post/{post.pk}/change/", data)

    assert response.status_code == 302
    assert [(f.order, f.question) for f in post.faqs.all()] == [
        (1, "Asked first?"),
        (2, "Asked third?"),
        (3, "Asked second, no number?"),
    ]
    assert FAQ.objects.get(question="Asked first?").answer_html == "<p><em>Yes</em>.</p>"


def test_a_form_never_removes_a_row_it_did_not_show(client, editor):
    post = PostFactory()
    client.force_login(editor)
    data = post_form(post)  # loaded before the FAQ below was added by someone else
    FAQFactory(post=post, question="Added meanwhile?")

    response = client.post(f"/admin/blog/post/{post.pk}/change/", data | {"title": "Edited"})

    assert response.status_code == 302
    assert [f.question for f in post.faqs.all()] == ["Added meanwhile?"]
    assert post.revisions.get().data["faqs"][0]["question"] == "Added meanwhile?"


def test_a_deleted_row_goes_and_the_rest_are_renumbered(client, editor):
    post = PostFactory()
    first, second = FAQFactory(post=post, order=1), FAQFactory(post=post, order=2)
    client.force_login(editor)
    rows = {
        "faqs-TOTAL_FORMS": "2",
        "faqs-INITIAL_FORMS": "2",
        **{
            f"faqs-{n}-{field}": value
            for n, faq in enumerate([first, second])
            for field, value in [
                ("id", faq.pk),
                ("post", post.pk),
                ("question", faq.question),
                ("answer", faq.answer),
                ("order", faq.order),
            ]
        },
        "faqs-0-DELETE": "on",
    }

    response = client.post(f"/admin/blog/post/{post.pk}/change/", post_form(post) | rows)

    assert response.status_code == 302
    assert [(f.order, f.question) for f in post.faqs.all()] == [(1, second.question)]


def test_change_list_queries_do_not_grow_with_posts(client, editor, django_assert_max_num_queries):
    for _ in range(30):
        post = PostFactory(tags=["one", "two"], topics=[TopicFactory()])
        FAQFactory(post=post)
    client.force_login(editor)

    with django_assert_max_num_queries(20):
        assert client.get("/admin/blog/post/").status_code == 200


def test_post_admin_uses_the_markdown_editor_with_live_preview(client, editor):
    client.force_login(editor)

    html = client.get("/admin/blog/post/add/").content.decode()

    assert "markdownx" in html
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in html
