"""Which links are sponsored is data: the seeded affiliate networks recognise each network's
link shapes, and a change to a network or a rule shows on the posts it affects at once."""

import pytest

from blog.affiliates import current_rules, host_regex, load_rules
from blog.models import AffiliateNetwork, AffiliateRule, Post
from blog.rendering import link_kind, render_markdown
from tests.factories import PostFactory, SponsoredLinkFactory

pytestmark = pytest.mark.django_db

SPONSORED = [
    ("https://aebcbdb-fj79hoitv1sfvkasd5.hop.clickbank.net?tid=blog", "ClickBank"),
    ("https://vendor.hop.clickbank.net/", "ClickBank"),
    ("https://amzn.to/3AbCdEf", "Amazon Associates"),
    ("https://www.amazon.com/dp/B000123?tag=site-20", "Amazon Associates"),
    ("https://www.amazon.co.uk/gp/product/B000123/?ref=x&tag=site-21", "Amazon Associates"),
    ("https://smile.amazon.de/dp/B000123?tag=site-21", "Amazon Associates"),
    ("https://www.shareasale.com/r.cfm?b=1&u=2&m=3", "ShareASale"),
    ("https://shareasale-analytics.com/r.cfm?b=1", "ShareASale"),
    ("https://www.anrdoezrs.net/click-123-456", "CJ Affiliate"),
    ("https://www.kqzyfj.com/click-1-2", "CJ Affiliate"),
    ("https://brand.sjv.io/c/1/2/3", "Impact"),
    ("https://goto.target.com.pxf.io/c/1/2/3", "Impact"),
    ("https://click.linksynergy.com/deeplink?id=x&mid=1", "Rakuten Advertising"),
    ("https://www.awin1.com/cread.php?awinmid=1&awinaffid=2", "Awin"),
    ("https://prf.hn/click/camref:1/destination:x", "Partnerize"),
    ("https://go.skimresources.com/?id=1&url=x", "Skimlinks"),
    ("https://www.ebay.com/itm/1?campid=5338&toolid=10001", "eBay Partner Network"),
    ("https://track.flexlinkspro.com/g.ashx?foid=1", "FlexOffers"),
    ("//amzn.to/3xyz", "Amazon Associates"),
]
ORDINARY = [
    "https://www.amazon.com/dp/B000123",  # Amazon without an associate tag
    "https://www.ebay.com/itm/1",
    "https://en.wikipedia.org/wiki/Affiliate_marketing",
    "https://notclickbank.net.evil.example/",
    "https://clickbank.net.example.org/hop",
    "https://evilamzn.to/x",
    "https://www.psychologytoday.com/us/blog/x",
]


@pytest.mark.parametrize(("url", "network"), SPONSORED)
def test_each_networks_link_shapes_are_sponsored(url, network):
    assert current_rules().network_of(url) == network
    assert link_kind(url) == "sponsored"
    assert 'rel="sponsored nofollow noopener"' in render_markdown(f"[offer]({url})")


@pytest.mark.parametrize("url", ORDINARY)
def test_ordinary_links_stay_outbound(url):
    assert link_kind(url) == "outbound"
    assert 'rel="noopener"' in render_markdown(f"[read]({url})")


@pytest.mark.parametrize("href", ["/posts/another/", "#faq", "mailto:ed@example.com"])
def test_internal_links_and_fragments_get_no_rel(href):
    assert "rel=" not in render_markdown(f"[here]({href})")


@pytest.mark.parametrize(
    ("pattern", "host", "matches"),
    [
        ("amzn.to", "amzn.to", True),
        ("amzn.to", "x.amzn.to", False),
        ("*.hop.clickbank.net", "hop.clickbank.net", True),
        ("*.hop.clickbank.net", "a.b.hop.clickbank.net", True),
        ("*.hop.clickbank.net", "hop.clickbank.net.evil.com", False),
        ("amazon.*", "amazon.co.uk", True),
        ("amazon.*", "amazon", False),
        ("amazon.*", "notamazon.com", False),
    ],
)
def test_host_patterns(pattern, host, matches):
    import re

    assert bool(re.fullmatch(host_regex(pattern), host)) is matches


def test_an_editor_adding_a_network_marks_existing_posts_sponsored_at_once(client):
    post = PostFactory(body="Buy it [here](https://shop.newnetwork.example/p/1?ref=me).")
    assert not post.has_sponsored_links
    assert "disclosure" not in client.get(post.get_absolute_url()).text

    network = AffiliateNetwork.objects.create(name="New Network")
    AffiliateRule.objects.create(network=network, host="*.newnetwork.example")

    post.refresh_from_db()
    assert post.has_sponsored_links
    assert 'rel="sponsored nofollow noopener"' in post.body_html
    page = client.get(post.get_absolute_url()).text
    assert page.index('class="disclosure"') < page.index("shop.newnetwork.example")


def test_turning_a_network_off_unmarks_its_links_and_the_disclosure_goes(client):
    post = PostFactory(body="Read [the deal](https://vendor.hop.clickbank.net/).")
    assert post.has_sponsored_links

    network = AffiliateNetwork.objects.get(name="ClickBank")
    network.active = False
    network.save()

    post.refresh_from_db()
    assert not post.has_sponsored_links
    assert 'rel="noopener"' in post.body_html
    assert 'class="disclosure"' not in client.get(post.get_absolute_url()).text


def test_a_rule_needing_a_parameter_matches_only_links_with_it():
    tagged = PostFactory(body="[a](https://www.example-shop.com/x?aff=me)")
    plain = PostFactory(body="[b](https://www.example-shop.com/x)")
    network = AffiliateNetwork.objects.create(name="Example shop")

    AffiliateRule.objects.create(network=network, host="example-shop.com", parameter="aff")

    assert Post.objects.get(pk=tagged.pk).has_sponsored_links
    assert not Post.objects.get(pk=plain.pk).has_sponsored_links


def test_a_deleted_rule_unmarks_the_posts_it_matched():
    post = PostFactory(body="[buy](https://amzn.to/abc)")
    AffiliateRule.objects.filter(host="amzn.to").delete()

    assert not Post.objects.get(pk=post.pk).has_sponsored_links


def test_a_host_pattern_that_is_not_one_is_refused():
    from django.core.exceptions import ValidationError

    network = AffiliateNetwork.objects.get(name="ClickBank")
    for bad in ["https://clickbank.net", "*.*", "click bank.net", "a/b"]:
        with pytest.raises(ValidationError):
            AffiliateRule(network=network, host=bad).full_clean()


def test_retiring_a_go_link_turns_it_into_plain_text_in_every_post(client):
    link = SponsoredLinkFactory(slug="cookbook")
    first = PostFactory(body="Get [the cookbook](/go/cookbook/) now.")
    second = PostFactory(body="Also [this](/go/cookbook/).")
    assert '<a href="/go/cookbook/?from=' in Post.objects.get(pk=first.pk).body_html

    link.active = False
    link.save()

    for post in (first, second):
        page = client.get(post.get_absolute_url()).text
        assert "/go/cookbook/" not in page and 'class="disclosure"' not in page
        assert not Post.objects.get(pk=post.pk).has_sponsored_links
    assert set(link.used_in()) == {first, second}

    link.active = True
    link.save()
    assert '<a href="/go/cookbook/?from=' in client.get(first.get_absolute_url()).text


def test_a_go_link_written_before_its_link_exists_goes_live_when_it_is_created():
    post = PostFactory(body="Soon: [the course](/go/course/).")
    assert 'data-go="course"' in Post.objects.get(pk=post.pk).body_html

    SponsoredLinkFactory(slug="course")

    html = Post.objects.get(pk=post.pk).body_html
    assert f'href="/go/course/?from={post.slug}" rel="sponsored nofollow noopener"' in html


def test_rules_are_read_once_per_content_generation(django_assert_num_queries):
    current_rules()
    with django_assert_num_queries(0):
        current_rules()
        render_markdown("[x](https://amzn.to/1)")
    assert load_rules() == current_rules()
