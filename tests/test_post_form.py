"""The post form as a place to write (issue 14): the bar at the top, the SEO title, tag
suggestions, rows ordered without typed numbers, "View on site" against "Preview", names for
history, and the preview in the public site's typography. What the browser does with them is in
test_browser_post_form.py."""

import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.utils import timezone

from blog.models import FAQ, Post
from tests.factories import FAQFactory, PostFactory, UserFactory
from tests.helpers import post_form

pytestmark = pytest.mark.django_db


def change_url(post):
    return f"/admin/blog/post/{post.pk}/change/"


def meta_title(html):
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    og = re.search(r'<meta property="og:title" content="([^"]*)">', html).group(1)
    return title, og


# The bar ----------------------------------------------------------------------------------


def test_status_publish_time_and_workflow_buttons_come_before_the_title(client, editor):
    post = PostFactory(status=Post.Status.IN_REVIEW, authors=[editor])
    client.force_login(editor)

    html = client.get(change_url(post)).content.decode()

    bar = html.index('class="post-bar"')
    assert bar < html.index('name="publish_at_0"') < html.index('id="id_title"')
    assert bar < html.index('name="_transition" value="publish"') < html.index('id="id_title"')
    assert "status-badge--review" in html[bar : html.index('id="id_title"')]
    assert html.count('name="_transition" value="publish"') == 1  # not again at the bottom


def test_the_workflow_buttons_in_the_bar_still_save_and_move_the_post(client, editor):
    post = PostFactory(status=Post.Status.IN_REVIEW, authors=[editor])
    client.force_login(editor)
    soon = timezone.localtime() + timedelta(days=3)

    response = client.post(
        change_url(post),
        post_form(
            post,
            title="Ready now",
            publish_at_0=soon.strftime("%Y-%m-%d"),
            publish_at_1="09:30:00",
            _transition="schedule",
        ),
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Ready now"
    assert post.state == "scheduled"
    assert timezone.localtime(post.publish_at).strftime("%H:%M") == "09:30"


def test_who_may_no_longer_change_a_post_sees_its_publish_time_without_a_field(client, contributor):
    live = PostFactory(title="Published, so no longer theirs to change", authors=[contributor])
    client.force_login(contributor)

    html = client.get(change_url(live)).content.decode()

    assert 'name="publish_at_0"' not in html
    assert "Publish time" in html
    assert 'name="_transition"' not in html


# SEO title --------------------------------------------------------------------------------


def test_the_seo_title_is_the_page_title_and_og_title_and_the_headline_stays(client):
    post = PostFactory(title="How we grew tomatoes on a balcony", seo_title="Balcony tomatoes")

    html = client.get(post.get_absolute_url()).content.decode()

    title, og = meta_title(html)
    assert title.startswith("Balcony tomatoes · ")
    assert og == "Balcony tomatoes"
    assert "How we grew tomatoes on a balcony</h1>" in html


def test_without_an_seo_title_the_headline_is_the_page_title(client):
    post = PostFactory(title="Plain headline")

    title, og = meta_title(client.get(post.get_absolute_url()).content.decode())

    assert title.startswith("Plain headline · ")
    assert og == "Plain headline"


def test_an_seo_title_saved_in_the_form_reaches_the_cached_page_at_once(client, editor):
    post = PostFactory(title="Cached headline", authors=[editor])
    reader = client.__class__()
    assert meta_title(reader.get(post.get_absolute_url()).content.decode())[1] == (
        "Cached headline"
    )
    client.force_login(editor)

    client.post(change_url(post), post_form(post, seo_title="A sharper search title"))

    assert meta_title(reader.get(post.get_absolute_url()).content.decode())[1] == (
        "A sharper search title"
    )


def test_the_seo_title_is_kept_in_revisions_and_restored(client, editor):
    post = PostFactory(title="Revised", authors=[editor])
    client.force_login(editor)
    client.post(change_url(post), post_form(post, seo_title="First search title"))
    client.post(change_url(post), post_form(post, seo_title="Second search title"))
    first = post.revisions.get(data__seo_title="First search title")

    revisions = client.get(f"/admin/blog/post/{post.pk}/revisions/").content.decode()
    client.post(
        f"/admin/blog/post/{post.pk}/revisions/{first.number}/restore/",
        {"version": Post.objects.get(pk=post.pk).version},
    )

    assert "SEO title" in revisions
    post.refresh_from_db()
    assert post.seo_title == "First search title"


# Tag suggestions --------------------------------------------------------------------------


def suggestions(client, typed):
    response = client.get("/admin/blog/post/tags/", {"q": typed})
    return response.status_code, response.json()


def test_tag_suggestions_name_existing_tags_starting_with_what_was_typed(client, editor):
    PostFactory(tags=["gardening", "garden design", "organic", "vegetables"])
    client.force_login(editor)

    status, body = suggestions(client, "gard")

    assert status == 200
    assert body["tags"] == ["garden design", "gardening"]
    assert suggestions(client, "ganic")[1]["tags"] == ["organic"]  # then those containing it


def test_tag_suggestions_never_give_away_a_tag_only_on_someone_elses_draft(
    client, contributor, editor
):
    PostFactory(tags=["secret-launch"], status=Post.Status.DRAFT, authors=[editor])
    PostFactory(tags=["seasonal"])  # public
    PostFactory(tags=["seedlings"], status=Post.Status.DRAFT, authors=[contributor])
    client.force_login(contributor)

    assert suggestions(client, "se")[1]["tags"] == ["seasonal", "seedlings"]
    client.force_login(editor)
    assert suggestions(client, "se")[1]["tags"] == ["seasonal", "secret-launch", "seedlings"]


def test_tag_suggestions_are_refused_to_staff_who_may_not_write_posts(client):
    PostFactory(tags=["gardening"])
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_tag"))
    client.force_login(viewer)

    status, body = suggestions(client, "gard")

    assert status == 403
    assert "tags" not in body


def test_tag_suggestions_are_for_logged_in_staff_only(client):
    PostFactory(tags=["gardening"])

    response = client.get("/admin/blog/post/tags/", {"q": "gard"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_tag_with_a_space_as_suggested_keeps_its_name_on_save(client, editor):
    post = PostFactory(authors=[editor])
    client.force_login(editor)

    client.post(change_url(post), post_form(post, tags='gardening, "new york", '))

    assert sorted(post.tags.names()) == ["gardening", "new york"]


TRICKY_TAGS = ["new york", 'the "best" soil', '5" pots', "peas, beans", "it's", "kale"]


def test_every_tag_name_comes_back_unchanged_when_the_form_is_saved_as_shown(client, editor):
    post = PostFactory(authors=[editor], tags=TRICKY_TAGS)
    client.force_login(editor)
    html = client.get(change_url(post)).content.decode()
    shown = unescape(re.search(r'name="tags" value="([^"]*)"', html).group(1))

    client.post(change_url(post), post_form(post, tags=shown))

    assert sorted(post.tags.names()) == sorted(TRICKY_TAGS)


def test_a_name_typed_with_spaces_and_no_comma_is_one_tag(client, editor):
    post = PostFactory(authors=[editor])
    client.force_login(editor)

    client.post(change_url(post), post_form(post, tags="raised beds"))

    assert list(post.tags.names()) == ["raised beds"]


# Rows in order without typed numbers ----------------------------------------------------------


def test_faq_and_reference_order_numbers_are_hidden_fields(client, editor):
    post = PostFactory(authors=[editor])
    FAQFactory(post=post, order=1)
    client.force_login(editor)

    html = client.get(change_url(post)).content.decode()

    assert re.search(r'<input type="hidden" name="faqs-0-order" value="1"[^>]*data-row-order', html)
    assert 'name="faqs-__prefix__-order"' in html
    assert '<th class="column-order' not in html or "column-order hidden" in html


def test_faqs_are_saved_in_the_order_the_rows_number_them(client, editor):
    post = PostFactory(authors=[editor])
    first = FAQFactory(post=post, question="Asked first?", order=1)
    second = FAQFactory(post=post, question="Asked second?", order=2)
    client.force_login(editor)
    rows = {
        "faqs-TOTAL_FORMS": "2",
        "faqs-INITIAL_FORMS": "2",
        # Moved: the second row now numbered first, as post-writing.js numbers them.
        "faqs-0-id": str(first.pk),
        "faqs-0-post": str(post.pk),
        "faqs-0-question": first.question,
        "faqs-0-answer": first.answer,
        "faqs-0-order": "2",
        "faqs-1-id": str(second.pk),
        "faqs-1-post": str(post.pk),
        "faqs-1-question": second.question,
        "faqs-1-answer": second.answer,
        "faqs-1-order": "1",
    }

    client.post(change_url(post), post_form(post, **rows))

    questions = FAQ.objects.filter(post=post).order_by("order").values_list("question", flat=True)
    assert list(questions) == ["Asked second?", "Asked first?"]


# View on site, preview and history ------------------------------------------------------------


def test_a_live_post_has_view_on_site_and_no_preview(client, editor):
    post = PostFactory(authors=[editor])
    client.force_login(editor)

    html = client.get(change_url(post)).content.decode()

    assert 'class="viewsitelink">View on site</a>' in html
    assert f'/admin/blog/post/{post.pk}/preview/"' not in html


@pytest.mark.parametrize(
    "status, delay",
    [(Post.Status.DRAFT, 0), (Post.Status.IN_REVIEW, 0), (Post.Status.PUBLISHED, 3)],
    ids=["draft", "in review", "scheduled"],
)
def test_a_post_readers_cannot_see_has_preview_and_no_view_on_site(client, editor, status, delay):
    post = PostFactory(
        authors=[editor], status=status, publish_at=timezone.now() + timedelta(days=delay or -1)
    )
    client.force_login(editor)

    html = client.get(change_url(post)).content.decode()

    assert "View on site" not in html
    assert f'href="/admin/blog/post/{post.pk}/preview/"' in html
    assert ">Preview</a>" in html


def test_history_has_one_name_per_kind(client, editor):
    post = PostFactory(authors=[editor])
    client.force_login(editor)

    html = client.get(change_url(post)).content.decode()

    assert ">Revisions</a>" in html
    assert ">Admin log</a>" in html
    assert ">History</a>" not in html
    assert "Status changes" in html
    assert re.search(r"<h2[^>]*>\s*History\s*</h2>", html) is None


# The preview in the public typography ---------------------------------------------------------


def test_every_prose_rule_of_the_public_stylesheet_styles_the_admin_preview():
    static = Path(settings.BASE_DIR) / "static"
    public = (static / "css" / "site.css").read_text()
    preview = (static / "admin" / "css" / "prose.css").read_text()

    def declarations(css):
        found = {}
        css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
            for selector in selectors.split(","):
                selector = selector.strip().removeprefix("div.markdownx ")
                if selector.startswith(".prose"):
                    found[selector] = " ".join(body.split())
        return found

    ours = declarations(preview)
    for selector, body in declarations(public).items():
        assert ours.get(selector) == body, selector


def test_an_seo_title_saved_meanwhile_is_merged_with_an_older_form_not_undone(client, editor):
    post = PostFactory(authors=[editor])
    client.force_login(editor)
    client.post(change_url(post), post_form(post))  # its first revision: the merge's base
    opened = post_form(Post.objects.get(pk=post.pk))

    client.post(change_url(post), post_form(post, seo_title="Saved by someone else"))
    response = client.post(change_url(post), opened | {"body": "Changed in the older form."})

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.seo_title == "Saved by someone else"
    assert post.body == "Changed in the older form."
