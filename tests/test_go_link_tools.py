"""Affiliate addresses turned into the site's /go/ links: the function, the post form's button
(its JSON endpoint) and the importers' --go-links."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from playwright.sync_api import expect

from blog.affiliate_urls import replace_affiliate_urls
from blog.models import FAQ, Post, SponsoredLink
from blog.rendering import has_sponsored_links
from tests.browser import PolicyWatch, log_in, requires_chromium
from tests.factories import PostFactory, SponsoredLinkFactory, UserFactory
from tests.helpers import admin_import, command, import_posts, upload

pytestmark = pytest.mark.django_db

# Beside the checkout (…/main/tests) or beside a worktree's parent (…/wt/name/tests).
SAMPLE = next(
    (
        found
        for folder in Path(__file__).resolve().parents[2:4]
        if (found := folder / "shared" / "samples" / "why-men-pull-away.md").exists()
    ),
    Path("why-men-pull-away.md"),
)
HOPLINK = "https://aebcbdb-fj79hoitv1sfvkasd5.hop.clickbank.net?tid=blog"
needs_sample = pytest.mark.skipif(
    not SAMPLE.exists(), reason="the shared sample is not beside this checkout"
)


def link_targets(markdown):
    return re.findall(r"\]\(([^)\s]+)", markdown)


# The function ---------------------------------------------------------------------------------


@needs_sample
def test_every_clickbank_link_of_the_sample_becomes_its_go_link_and_nothing_else_changes():
    original = SAMPLE.read_text()

    changed, links = replace_affiliate_urls(original)

    [link] = links
    assert (link.name, link.slug, link.destination) == (
        "ClickBank: aebcbdb",
        "clickbank-aebcbdb",
        HOPLINK,
    )
    assert "clickbank.net" not in changed
    targets = link_targets(changed)
    assert targets.count("/go/clickbank-aebcbdb/") == 4
    assert [t for t in link_targets(original) if "clickbank" not in t] == [
        t for t in targets if not t.startswith("/go/")
    ]  # the ordinary links, every one, as they were
    assert changed.replace("/go/clickbank-aebcbdb/", HOPLINK) == original


def test_only_link_targets_change_never_code_or_text():
    url = "https://vendor-x1.hop.clickbank.net/?tid=a"
    markdown = (
        f"Paste {url} as text, or `[code]({url})`, or:\n\n"
        f"```\n[fenced]({url})\n```\n\n"
        f'[inline]({url}) [titled](<{url}> "Title") <{url}>\n\n'
        f'<a class="cta" href="{url}">raw HTML</a>\n\n'
        f"[ref]: {url}\n"
    )

    changed, [link] = replace_affiliate_urls(markdown)

    go = f"/go/{link.slug}/"
    assert changed == (
        f"Paste {url} as text, or `[code]({url})`, or:\n\n"
        f"```\n[fenced]({url})\n```\n\n"
        f'[inline]({go}) [titled](<{go}> "Title") [{url}]({go})\n\n'
        f'<a class="cta" href="{go}">raw HTML</a>\n\n'
        f"[ref]: {go}\n"
    )


def test_ordinary_internal_and_unsafe_addresses_are_left_alone():
    markdown = (
        "[shop](https://shop.example.com/?tag=x) [us](/about/) [mail](mailto:a@b.example) "
        "[amazon without tag](https://www.amazon.com/dp/B0C1) [bad](javascript:alert(1))"
    )

    assert replace_affiliate_urls(markdown) == (markdown, [])
    assert not SponsoredLink.objects.exists()


def test_the_same_address_finds_its_link_and_another_offer_gets_a_free_slug():
    first = SponsoredLink.objects.for_destination("https://amzn.to/3xYz")
    again = SponsoredLink.objects.for_destination("https://amzn.to/3xYz")
    tagged = SponsoredLink.objects.for_destination("https://www.amazon.de/dp/B0C1?tag=me-21")
    SponsoredLinkFactory(slug="clickbank-aebcbdb")  # someone's own link took the slug
    other_vendor = SponsoredLink.objects.for_destination(HOPLINK)

    assert first == again and SponsoredLink.objects.filter(destination=first.destination).count()
    assert (first.name, first.slug) == ("Amazon Associates: 3xYz", "amazon-associates-3xyz")
    assert (tagged.name, tagged.slug) == ("Amazon Associates: B0C1", "amazon-associates-b0c1")
    assert other_vendor.slug == "clickbank-aebcbdb-2"


def test_a_retired_link_to_the_address_is_used_not_replaced():
    retired = SponsoredLinkFactory(slug="old-offer", destination=HOPLINK, active=False)

    changed, links = replace_affiliate_urls(f"[Buy]({HOPLINK})")

    assert (changed, links) == ("[Buy](/go/old-offer/)", [retired])
    assert SponsoredLink.objects.count() == 1


def test_an_address_a_link_cannot_have_is_left_as_it_is():
    too_long = "https://x.hop.clickbank.net/?q=" + "a" * 2100

    assert replace_affiliate_urls(f"[x]({too_long})") == (f"[x]({too_long})", [])
    assert not SponsoredLink.objects.exists()


# The post form's button -------------------------------------------------------------------------


def go_links(client, url, body, **headers):
    return client.post(url, {"body": body}, content_type="application/json", headers=headers)


def test_an_editor_gets_the_body_back_with_go_links_and_the_post_is_not_saved(client, editor):
    post = PostFactory(body="Old text.")
    client.force_login(editor)

    response = go_links(client, f"/admin/blog/post/{post.pk}/go-links/", f"[Buy]({HOPLINK})")

    assert response.status_code == 200
    assert response.json() == {
        "body": "[Buy](/go/clickbank-aebcbdb/)",
        "links": [
            {
                "name": "ClickBank: aebcbdb",
                "address": "/go/clickbank-aebcbdb/",
                "destination": HOPLINK,
                "active": True,
            }
        ],
    }
    assert Post.objects.get(pk=post.pk).body == "Old text."
    # A new post's form has its own
    new = go_links(client, "/admin/blog/post/add/go-links/", f"<{HOPLINK}>")
    assert new.json()["body"] == f"[{HOPLINK}](/go/clickbank-aebcbdb/)"
    assert SponsoredLink.objects.count() == 1


def test_the_button_is_offered_to_those_who_may_make_sponsored_links(client, editor, author):
    post = PostFactory(authors=[author], status="draft")
    client.force_login(editor)
    html = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    assert f'data-url="/admin/blog/post/{post.pk}/go-links/"' in html
    assert "admin/js/go-links.js" in html

    client.force_login(author)
    html = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    assert 'id="go-links"' not in html


@pytest.mark.parametrize("role", ["author", "contributor"])
def test_writers_without_the_permission_are_refused_on_their_own_drafts(client, request, role):
    writer = request.getfixturevalue(role)
    post = PostFactory(authors=[writer], status="draft")
    client.force_login(writer)

    for url in (f"/admin/blog/post/{post.pk}/go-links/", "/admin/blog/post/add/go-links/"):
        response = go_links(client, url, f"[Buy]({HOPLINK})")
        assert response.status_code == 403
        assert response.json() == {"error": "You may not make sponsored links."}
    assert not SponsoredLink.objects.exists()


def test_the_permission_alone_does_not_open_a_post_its_holder_may_not_edit(client, contributor):
    contributor.user_permissions.add(Permission.objects.get(codename="add_sponsoredlink"))
    own_published = PostFactory(authors=[contributor])  # contributors cannot change it now
    others_draft = PostFactory(status="draft")
    client.force_login(contributor)

    refused = go_links(client, f"/admin/blog/post/{own_published.pk}/go-links/", f"[a]({HOPLINK})")
    hidden = go_links(client, f"/admin/blog/post/{others_draft.pk}/go-links/", f"[a]({HOPLINK})")
    allowed = go_links(client, "/admin/blog/post/add/go-links/", "no links")

    assert refused.status_code == 403 and hidden.status_code == 404
    assert not SponsoredLink.objects.exists()
    assert allowed.status_code == 200  # the permission works where the post form does


def test_the_endpoint_takes_posts_with_the_form_csrf_token_only(editor):
    post = PostFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    url = f"/admin/blog/post/{post.pk}/go-links/"
    html = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    assert client.get(url).status_code == 405
    assert go_links(client, url, f"[a]({HOPLINK})").status_code == 403  # forged: no token
    assert not SponsoredLink.objects.exists()
    assert go_links(client, url, f"[a]({HOPLINK})", X_CSRFToken=token).status_code == 200


def test_a_body_that_is_not_text_is_refused(client, editor):
    post = PostFactory()
    client.force_login(editor)
    url = f"/admin/blog/post/{post.pk}/go-links/"

    assert client.post(url, json.dumps({"body": 3}), "application/json").status_code == 400
    assert client.post(url, "not json", "application/json").status_code == 400


@pytest.mark.browser
@requires_chromium
@pytest.mark.django_db(transaction=True)
def test_the_button_replaces_the_body_in_the_form_and_undo_brings_it_back(
    live_server, browser, editor
):
    body = f"Read [this]({HOPLINK}) and [that](https://example.org/)."
    post = PostFactory(body=body, authors=[editor])
    page = log_in(browser, live_server, editor)
    watch = PolicyWatch(page.context)
    page.goto(f"{live_server.url}/admin/blog/post/{post.pk}/change/")

    page.get_by_role("button", name="Make /go/ links of affiliate URLs").click()

    textarea = page.locator("#id_body")
    made = "Read [this](/go/clickbank-aebcbdb/) and [that](https://example.org/)."
    expect(textarea).to_have_value(made)
    expect(page.locator(".go-links__status")).to_contain_text(
        "Now linking to /go/clickbank-aebcbdb/ (ClickBank: aebcbdb)"
    )
    assert Post.objects.get(pk=post.pk).body == body  # not saved until the editor saves
    textarea.press("Control+z")
    expect(textarea).to_have_value(body)
    assert watch.violations == [] and watch.errors == []


# Importing with --go-links ----------------------------------------------------------------------


@needs_sample
def test_importing_the_sample_twice_with_go_links_makes_its_link_once():
    first, _, error = import_posts(SAMPLE, go_links=True)
    again, _, _ = import_posts(SAMPLE, go_links=True)

    assert error is None
    assert "Affiliate addresses now link to /go/clickbank-aebcbdb/." in first
    assert "0 created, 0 updated, 1 unchanged, 0 failed." in again
    link = SponsoredLink.objects.get()
    post = Post.objects.get()
    assert link.destination == HOPLINK and "clickbank.net" not in post.body
    assert post.body_html.count('href="/go/clickbank-aebcbdb/?from=') == 4
    assert post.has_sponsored_links
    assert list(link.used_in()) == [post]


def test_go_links_reach_faq_answers_and_a_dry_run_makes_none(tmp_path):
    (tmp_path / "offer.md").write_text(
        "---\ntitle: An offer\nfaqs:\n"
        f'  - question: Where?\n    answer: "[Here]({HOPLINK}), or [there](https://example.org/)."\n'
        f"---\n\nRead [this]({HOPLINK}).\n"
    )

    dry, _, _ = import_posts(tmp_path, go_links=True, dry_run=True)
    assert not SponsoredLink.objects.exists() and not Post.objects.exists()
    assert "/go/clickbank-aebcbdb/" in dry  # what it would make

    import_posts(tmp_path, go_links=True)

    assert (
        FAQ.objects.get().answer
        == "[Here](/go/clickbank-aebcbdb/), or [there](https://example.org/)."
    )
    assert Post.objects.get().body == "Read [this](/go/clickbank-aebcbdb/)."
    assert SponsoredLink.objects.count() == 1


def test_a_file_linking_to_a_go_link_an_earlier_file_made_gets_a_sponsored_link(tmp_path):
    """Files are rendered before the batch is saved: one rendered before the /go/ link it
    names was made is rendered again once it exists, body and FAQ answers."""
    (tmp_path / "a.md").write_text(f"---\ntitle: First\n---\n\nRead [this]({HOPLINK}).\n")
    (tmp_path / "b.md").write_text(
        "---\ntitle: Second\nfaqs:\n  - question: Where?\n"
        '    answer: "[Here](/go/clickbank-aebcbdb/)."\n---\n\n[Buy](/go/clickbank-aebcbdb/)\n'
    )

    import_posts(tmp_path, go_links=True)

    second = Post.objects.get(title="Second")
    assert 'href="/go/clickbank-aebcbdb/?from=second"' in second.body_html
    assert 'href="/go/clickbank-aebcbdb/?from=second"' in second.faqs.get().answer_html
    assert has_sponsored_links(second.faqs.get().answer_html)


def test_a_go_link_made_in_a_batch_undone_for_another_file_is_made_again(tmp_path, settings):
    """A file that fails undoes its batch, which is then saved again: the /go/ link the first
    pass made was undone with it, and must be made again, not left named by the body."""
    settings.BYLINE_MARKDOWN_MAX_CHARS = 500
    (tmp_path / "a.md").write_text(f"---\ntitle: First\n---\n\nRead [this]({HOPLINK}).\n")
    (tmp_path / "b.md").write_text("---\ntitle: Second\n---\n\n" + "word " * 200)

    out, _, error = import_posts(tmp_path, go_links=True)

    assert error == "1 of 2 files could not be imported."
    assert Post.objects.get().body == "Read [this](/go/clickbank-aebcbdb/)."
    assert SponsoredLink.objects.get().destination == HOPLINK
    assert "Affiliate addresses now link to /go/clickbank-aebcbdb/." in out


def test_without_the_flag_an_import_keeps_affiliate_addresses(tmp_path):
    (tmp_path / "offer.md").write_text(f"---\ntitle: An offer\n---\n\n[this]({HOPLINK})\n")

    import_posts(tmp_path)

    assert Post.objects.get().body == f"[this]({HOPLINK})"
    assert not SponsoredLink.objects.exists()


WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Offers</title><link>https://offers.example</link><wp:wxr_version>1.2</wp:wxr_version>
  <item>
    <title>Best Blender</title>
    <guid isPermaLink="false">https://offers.example/?p=5</guid>
    <content:encoded><![CDATA[<p>Buy <a href="https://amzn.to/3xYz" rel="nofollow">this one</a>,
not <a href="https://example.org/blender">that one</a>.</p>]]></content:encoded>
    <wp:post_id>5</wp:post_id>
    <wp:post_name><![CDATA[best-blender]]></wp:post_name>
    <wp:status><![CDATA[draft]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
  </item>
</channel></rss>
"""


def test_a_wordpress_export_with_go_links_twice_makes_its_links_once(tmp_path):
    export = tmp_path / "offers.xml"
    export.write_text(WXR)

    first = command("import_wordpress", export, go_links=True)
    again = command("import_wordpress", export, go_links=True)

    assert "1 created" in first and "1 unchanged" in again
    link = SponsoredLink.objects.get()
    assert (link.name, link.destination) == ("Amazon Associates: 3xYz", "https://amzn.to/3xYz")
    body = Post.objects.get().body  # Markdown, as every body is
    assert "[this one](/go/amazon-associates-3xyz/)" in body
    assert "[that one](https://example.org/blender)" in body


def test_the_admin_import_offers_go_links_only_to_those_who_may_make_links(client, editor):
    markdown = f"---\ntitle: An offer\n---\n\n[this]({HOPLINK})\n".encode()
    importer = UserFactory(username="importer", is_staff=True)
    importer.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_post", "change_post", "edit_any_post"])
    )
    client.force_login(importer)
    assert "go_links" not in client.get("/admin/blog/post/import/").content.decode()

    admin_import(client, {"file": upload("offer.md", markdown), "go_links": "on"})

    assert Post.objects.get().body == f"[this]({HOPLINK})"  # the option was not theirs
    assert not SponsoredLink.objects.exists()
    client.force_login(editor)
    report = admin_import(
        client, {"file": upload("offer.md", markdown), "go_links": "on"}
    ).content.decode()
    assert "Affiliate addresses now link to /go/clickbank-aebcbdb/." in report
    assert Post.objects.get().body == "[this](/go/clickbank-aebcbdb/)"
