"""Sponsored content in the admin, by role: Editors keep the affiliate networks, the sponsored
links and the site's settings; writers may look links up but change nothing."""

import pytest

from blog.models import AffiliateNetwork, Post, SiteSettings, SponsoredLink, SponsoredLinkUse
from tests.factories import PostFactory, SponsoredLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

LINKS = "/admin/blog/sponsoredlink/"
NETWORKS = "/admin/blog/affiliatenetwork/"
SETTINGS = "/admin/blog/sitesettings/"


def link_form(link, **fields):
    return {
        "name": link.name,
        "slug": link.slug,
        "destination": link.destination,
        "tracking_parameter": link.tracking_parameter,
        "notes": link.notes,
        **({"active": "on"} if link.active else {}),
        **fields,
    }


def network_form(name, rules=(), **fields):
    data = {
        "name": name,
        "active": "on",
        "notes": "",
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for number, (host, parameter) in enumerate(rules):
        data |= {f"rules-{number}-host": host, f"rules-{number}-parameter": parameter}
    return data | fields


def shown_messages(response):
    return [str(message) for message in response.context["messages"]]


# Editors ------------------------------------------------------------------------------------------


def test_an_editor_adds_a_network_and_the_posts_it_affects_are_rendered_again(client, editor):
    post = PostFactory(body="Try [the deal](https://deals.partner.example/p/1).")
    PostFactory(body="Nothing paid here.")
    assert 'rel="noopener"' in post.body_html
    client.force_login(editor)

    response = client.post(
        f"{NETWORKS}add/", network_form("Partner", [("*.partner.example", "")]), follow=True
    )

    assert "1 post rendered again with the change." in shown_messages(response)
    network = AffiliateNetwork.objects.get(name="Partner")
    assert [str(rule) for rule in network.rules.all()] == ["*.partner.example"]
    assert 'rel="sponsored nofollow noopener"' in Post.objects.get(pk=post.pk).body_html
    listing = client.get(NETWORKS, {"q": "Partner"}).content.decode()
    assert "*.partner.example" in listing


def test_a_network_affecting_many_posts_renders_the_newest_at_once_and_the_rest_on_the_worker(
    client, editor, monkeypatch, django_capture_on_commit_callbacks
):
    from blog import sponsored
    from tests.helpers import run_worker

    monkeypatch.setattr(sponsored, "IN_REQUEST", 2)
    posts = [PostFactory(body=f"[Deal {n}](https://deals.partner.example/{n})") for n in range(5)]
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{NETWORKS}add/", network_form("Partner", [("*.partner.example", "")]), follow=True
        )

    assert (
        "2 posts rendered again with the change; the worker is rendering the other 3 "
        "(newest first)." in shown_messages(response)
    )
    sponsored_now = {
        post.pk for post in Post.objects.all() if "sponsored nofollow" in post.body_html
    }
    assert sponsored_now == {posts[4].pk, posts[3].pk}

    run_worker()

    assert all("sponsored nofollow" in post.body_html for post in Post.objects.all())


def test_an_editor_switches_a_network_off_and_its_links_are_no_longer_sponsored(client, editor):
    network = AffiliateNetwork.objects.get(name="ClickBank")
    [rule] = network.rules.all()
    post = PostFactory(body="[Try it](https://vendor.hop.clickbank.net/)")
    assert 'rel="sponsored nofollow noopener"' in post.body_html
    client.force_login(editor)
    data = network_form("ClickBank", [(rule.host, "")], active="")
    data |= {"rules-INITIAL_FORMS": "1", "rules-0-id": rule.pk, "rules-0-network": network.pk}

    response = client.post(f"{NETWORKS}{network.pk}/change/", data, follow=True)

    assert "1 post rendered again with the change." in shown_messages(response)
    assert not AffiliateNetwork.objects.get(pk=network.pk).active
    assert 'rel="noopener"' in Post.objects.get(pk=post.pk).body_html


def test_an_editor_changes_links_and_the_site_settings(client, editor):
    link = SponsoredLinkFactory(slug="blender", name="Blender")
    client.force_login(editor)

    added = client.post(
        f"{LINKS}add/",
        link_form(SponsoredLink(name="Kettle", slug="kettle", destination="https://k.example/")),
    )
    changed = client.post(
        f"{LINKS}{link.pk}/change/", link_form(link, destination="https://new.example/b")
    )
    settings = client.post(f"{SETTINGS}1/change/", {"disclosure": "We earn from links."})

    assert [added.status_code, changed.status_code, settings.status_code] == [302, 302, 302]
    assert SponsoredLink.objects.get(slug="kettle").destination == "https://k.example/"
    assert SponsoredLink.objects.get(pk=link.pk).destination == "https://new.example/b"
    assert SiteSettings.load().disclosure == "We earn from links."


def test_a_destination_that_is_not_http_is_refused(client, editor):
    link = SponsoredLinkFactory(slug="blender")
    client.force_login(editor)

    response = client.post(
        f"{LINKS}{link.pk}/change/", link_form(link, destination="javascript:alert(1)")
    )

    assert response.status_code == 200 and "Enter a valid URL." in response.content.decode()
    assert SponsoredLink.objects.get(pk=link.pk).destination.startswith("https://")


def test_the_link_list_shows_address_destination_and_how_many_posts_use_it(client, editor):
    link = SponsoredLinkFactory(
        slug="blender", name="Blender deal", destination="https://shop.example/" + "x" * 80
    )
    SponsoredLinkFactory(slug="unused", name="Unused deal")
    PostFactory(body="[Buy](/go/blender/)")
    PostFactory(body="[Buy](/go/blender/) and [again](/go/blender/)", status="draft")
    client.force_login(editor)

    response = client.get(LINKS, {"o": "-5"})  # most used first

    rows = list(response.context["cl"].result_list)
    assert [(row.slug, row.used_in_count) for row in rows] == [("blender", 2), ("unused", 0)]
    html = response.content.decode()
    assert "/go/blender/" in html
    assert link.destination not in html and link.destination[:50] in html  # truncated
    searched = client.get(LINKS, {"q": "unused"}).context["cl"].result_list
    assert [row.slug for row in searched] == ["unused"]
    retired = client.get(LINKS, {"active__exact": "0"}).context["cl"].result_list
    assert list(retired) == []


def test_the_change_page_lists_the_posts_using_the_link_and_warns_before_retiring(client, editor):
    link = SponsoredLinkFactory(slug="blender")
    using = [PostFactory(title=f"Using {n}", body="[Buy](/go/blender/)") for n in (1, 2)]
    PostFactory(title="Not using it")
    client.force_login(editor)

    html = client.get(f"{LINKS}{link.pk}/change/").content.decode()

    for post in using:
        assert f'<a href="/admin/blog/post/{post.pk}/change/">{post.title}</a>' in html
    assert "Not using it" not in html
    assert "Its address is /go/&lt;slug&gt;/." in html  # the help text, not a stray tag
    assert (
        "Retiring it makes its text a plain word in these 2 posts and /go/blender/ answers 404"
        in html
    )


def test_retiring_a_used_link_says_so_and_its_posts_lose_the_link(client, editor):
    link = SponsoredLinkFactory(slug="blender")
    post = PostFactory(body="[Buy the blender](/go/blender/)")
    assert 'href="/go/blender/' in post.body_html
    client.force_login(editor)

    response = client.post(f"{LINKS}{link.pk}/change/", link_form(link, active=""), follow=True)

    said = shown_messages(response)
    assert "1 post rendered again with the change." in said
    assert any("its text is a plain word in 1 post" in message for message in said)
    body_html = Post.objects.get(pk=post.pk).body_html
    assert 'href="/go/blender/' not in body_html and "Buy the blender" in body_html


def test_a_retired_link_says_what_it_does_to_the_posts_using_it(client, editor):
    link = SponsoredLinkFactory(slug="blender", active=False)
    post = PostFactory(body="[Buy the blender](/go/blender/)")
    SponsoredLinkUse.objects.get_or_create(post=post, slug="blender")
    client.force_login(editor)

    page = client.get(f"{LINKS}{link.pk}/change/").content.decode()

    assert "Retired: /go/blender/ answers 404 and its text is a plain word in the 1 post" in page
    assert f'<a href="/admin/blog/post/{post.pk}/change/">' in page


def test_the_site_settings_are_one_row_its_list_is_its_form(client, editor):
    client.force_login(editor)

    listing = client.get(SETTINGS)

    assert listing.status_code == 302 and listing.url == f"{SETTINGS}1/change/"
    assert client.get(f"{SETTINGS}add/").status_code == 403
    assert client.post(f"{SETTINGS}1/delete/", {"post": "yes"}).status_code == 403
    assert SiteSettings.objects.count() == 1
    form = client.get(f"{SETTINGS}1/change/").content.decode()
    assert "sponsored-link disclosure" in form.lower() and "Delete" not in form


# Writers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["author", "contributor"])
def test_writers_look_links_up_but_cannot_add_change_or_delete_them(client, request, role):
    link = SponsoredLinkFactory(slug="blender", name="Blender deal")
    client.force_login(request.getfixturevalue(role))

    listing = client.get(LINKS)
    view = client.get(f"{LINKS}{link.pk}/change/")
    added = client.post(f"{LINKS}add/", link_form(SponsoredLink(name="Mine", slug="mine")))
    changed = client.post(
        f"{LINKS}{link.pk}/change/", link_form(link, destination="https://evil.example/")
    )
    deleted = client.post(f"{LINKS}{link.pk}/delete/", {"post": "yes"})
    bulk = client.post(LINKS, {"action": "delete_selected", "_selected_action": [link.pk]})

    assert listing.status_code == 200 and "/go/blender/" in listing.content.decode()
    assert view.status_code == 200 and "Retiring it" not in view.content.decode()
    assert [added.status_code, changed.status_code, deleted.status_code] == [403, 403, 403]
    assert bulk.status_code in (200, 302)  # no such action for them: nothing happens
    assert list(SponsoredLink.objects.values_list("slug", "destination")) == [
        ("blender", link.destination)
    ]


@pytest.mark.parametrize("role", ["author", "contributor"])
def test_writers_cannot_reach_networks_or_site_settings(client, request, role):
    network = AffiliateNetwork.objects.get(name="ClickBank")
    client.force_login(request.getfixturevalue(role))

    for url in (NETWORKS, f"{NETWORKS}{network.pk}/change/", f"{NETWORKS}add/"):
        assert client.get(url).status_code == 403, url
    for url in (SETTINGS, f"{SETTINGS}1/change/"):
        assert client.get(url).status_code == 403, url
    client.post(f"{NETWORKS}{network.pk}/change/", network_form("ClickBank", active=""))
    client.post(f"{SETTINGS}1/change/", {"disclosure": ""})
    assert AffiliateNetwork.objects.get(pk=network.pk).active
    assert SiteSettings.load().disclosure


def test_a_writer_sees_only_posts_they_may_know_of_among_those_using_a_link(client, author):
    link = SponsoredLinkFactory(slug="blender")
    own = PostFactory(title="Author's own draft", body="[a](/go/blender/)", authors=[author])
    own.status = "draft"
    own.save()
    public = PostFactory(title="Someone's published post", body="[b](/go/blender/)")
    PostFactory(
        title="Someone's secret draft",
        body="[c](/go/blender/)",
        status="draft",
        authors=[UserFactory(username="owen")],
    )
    client.force_login(author)

    html = client.get(f"{LINKS}{link.pk}/change/").content.decode()
    listing = client.get(LINKS).context["cl"].result_list

    assert f'href="/admin/blog/post/{own.pk}/change/"' in html
    assert f'href="{public.get_absolute_url()}"' in html  # not theirs: its page
    assert "secret draft" not in html
    assert [row.used_in_count for row in listing] == [2]
