"""Pages cost the same however large the site: an uncached post page runs 2 queries and a list
page at most 4, at 10 posts as at 1,000, because what a page shows of a post's parts is stored
on the post and posts are listed under their tags, topics and authors in publish order. Those
stored blocks and listings follow every change to what they show."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from taggit.models import Tag

from blog.content_version import content_version
from blog.menus import site_menus
from blog.models import FAQ, Post, merge_tags
from tests.factories import FAQFactory, FullPostFactory, PostFactory, TopicFactory, UserFactory
from tests.helpers import bulk_posts, plain_related_posts

pytestmark = pytest.mark.django_db

# A query parameter no page knows: the page is rendered, never served from the cache.
UNCACHED = "?uncached=1"


@pytest.fixture(params=[10, 1000], ids=["10 posts", "1000 posts"])
def site(request):
    topics = [TopicFactory(slug=f"topic-{n}") for n in range(3)]
    writers = [UserFactory(slug=f"writer-{n}") for n in range(2)]
    tags = ["soil", "compost", "seeds", "tools", "water"]
    posts = bulk_posts(request.param, tags=tags, topics=topics, authors=writers)
    FAQFactory(post=posts[1])  # a post page with every block
    # What each process reads once per content generation, whatever the page: the go-live
    # times and the menus (a page after a change reads them; the next ones do not).
    content_version(), site_menus()
    return posts


def test_an_uncached_post_page_runs_two_queries_at_any_size_then_one(
    client, site, django_assert_num_queries
):
    post = site[1]
    content_version()  # read once per process and content generation, by any page
    with django_assert_num_queries(2):  # the post with its stored blocks; its tags' newest posts
        page = client.get(post.get_absolute_url() + UNCACHED)
    html = page.content.decode()
    assert "Frequently asked questions" in html and "Related posts" in html
    assert f">{site[4].title}</a>" in html  # the newest post sharing its topic

    # This process now knows its tags' and topics' newest posts, until the content changes.
    with django_assert_num_queries(1):
        again = client.get(post.get_absolute_url() + UNCACHED)
    assert again.content == page.content


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/tags/soil/",
        "/topics/topic-1/",
        "/authors/writer-0/",
        "archive-year",
        "archive-month",
        "/search/?q=words",
        "older-page",
    ],
)
def test_an_uncached_list_page_runs_at_most_four_queries_at_any_size(
    client, site, django_assert_max_num_queries, url
):
    newest = site[0].publish_at
    url = {
        "archive-year": f"/archive/{newest.year}/",
        "archive-month": f"/archive/{newest.year}/{newest.month:02d}/",
        "older-page": f"/?page={2 if len(site) > settings.BYLINE_POSTS_PER_PAGE else 1}",
    }.get(url, url)
    joiner = "&" if "?" in url else "?"
    with django_assert_max_num_queries(4):
        page = client.get(url + joiner + UNCACHED[1:])
    assert page.status_code == 200, url
    assert "Bulk post" in page.content.decode()


def test_list_pages_link_to_the_older_page_without_counting_the_list(client):
    bulk_posts(settings.BYLINE_POSTS_PER_PAGE + 1)

    first = client.get("/" + UNCACHED).content.decode()
    second = client.get("/?page=2&uncached=1").content.decode()

    assert 'rel="next"' in first and "Page 1" in first
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get("/?page=3&uncached=1").status_code == 404


def test_feeds_read_no_relation_per_post(client, site, django_assert_max_num_queries):
    for url in ("/feed/", "/feed/atom/", "/tags/soil/feed/", "/topics/topic-1/feed/"):
        with django_assert_max_num_queries(2):
            assert client.get(url + UNCACHED).status_code == 200, url


def related_titles(client, post):
    """The related posts a reader sees on `post`'s page, in order."""
    html = client.get(post.get_absolute_url() + UNCACHED).content.decode()
    if "Related posts" not in html:
        return []
    related = html.split('class="related__list"')[1].split("</ul>")[0]
    return [chunk.split("</a>")[0] for chunk in related.split('">')[1:] if "</a>" in chunk]


def assert_related_as_defined(client, posts):
    for post in posts:
        if post.is_published():
            assert related_titles(client, post) == plain_related_posts(post), post.title


def test_related_posts_are_those_of_the_plain_query_through_every_kind_of_change(client):
    """A varied site: posts sharing tags, topics, both or neither; drafts and scheduled posts.
    After each change the page shows exactly what the plain relational query gives."""
    now = timezone.now()
    topics = TopicFactory.create_batch(2)
    posts = []
    for n in range(24):
        posts.append(
            PostFactory(
                title=f"Varied {n}",
                tags=[["a"], ["b"], ["a", "c"], [], ["d"]][n % 5],
                topics=[[topics[0]], [], [topics[1]]][n % 3],
                publish_at=now - timedelta(days=n % 7, hours=n),
                status=Post.Status.DRAFT if n % 11 == 5 else Post.Status.PUBLISHED,
            )
        )
    scheduled = PostFactory(title="Scheduled", tags=["a"], publish_at=now + timedelta(hours=1))
    posts.append(scheduled)
    assert_related_as_defined(client, posts)

    newest_a = posts[0]
    newest_a.status = Post.Status.DRAFT  # unpublished, by a bare save
    newest_a.save()
    assert_related_as_defined(client, posts)

    posts[2].publish_at = now - timedelta(minutes=1)  # moved to the front
    posts[2].save_with_history()
    assert_related_as_defined(client, posts)

    posts[3].apply_content({"tags": ["a", "b"], "topics": [topics[0].slug]})
    posts[3].save_with_history()
    assert_related_as_defined(client, posts)

    posts[7].tags.add("d")  # a bare tagging
    posts[8].topics.clear()
    topics[1].posts.add(posts[9])  # from the topic's side
    assert_related_as_defined(client, posts)

    posts.pop(2).delete()
    assert_related_as_defined(client, posts)

    merge_tags(list(Tag.objects.filter(name__in=["c", "d"])), "a")
    assert_related_as_defined(client, posts)

    with time_machine.travel(now + timedelta(hours=2)):  # the scheduled post goes live
        assert related_titles(client, Post.objects.get(title="Varied 10"))[0] == "Scheduled"
        assert_related_as_defined(client, posts)


def test_a_post_is_never_its_own_related_post_nor_shows_unpublished_ones(client):
    post = PostFactory(title="Itself", tags=["solo"])
    PostFactory(title="Draft sibling", tags=["solo"], status=Post.Status.DRAFT)
    PostFactory(
        title="Future sibling", tags=["solo"], publish_at=timezone.now() + timedelta(days=1)
    )

    assert related_titles(client, post) == []


def test_related_posts_of_a_busy_tag_stay_the_newest_after_the_newest_go(client):
    """A tag with more posts than a post page shows: when the newest leave (unpublished,
    deleted), the next newest take their place."""
    posts = bulk_posts(12, tags=["busy"])
    reader = posts[-1]

    posts[0].status = Post.Status.ARCHIVED
    posts[0].save()
    posts[1].delete()
    Post.objects.get(pk=posts[2].pk).delete()

    assert related_titles(client, reader) == [p.title for p in posts[3:7]]


def test_an_author_rename_shows_on_every_post_of_theirs(client):
    writer = UserFactory(display_name="Old Name", slug="old")
    posts = [FullPostFactory(authors=[writer]), PostFactory(authors=[writer, UserFactory()])]

    writer.display_name = "New Name"
    writer.slug = "new"
    writer.save()

    for post in posts:
        html = client.get(post.get_absolute_url() + UNCACHED).content.decode()
        assert "New Name" in html and "Old Name" not in html
        assert 'href="/authors/new/"' in html
    assert "New Name" in client.get("/" + UNCACHED).content.decode()


def test_a_tag_rename_shows_on_every_post_carrying_it(client):
    post = PostFactory(tags=["tomatos"])

    tag = Tag.objects.get(name="tomatos")
    tag.name, tag.slug = "tomatoes", "tomatoes"
    tag.save()

    html = client.get(post.get_absolute_url() + UNCACHED).content.decode()
    assert 'href="/tags/tomatoes/">tomatoes</a>' in html and "tomatos" not in html


def test_merged_tags_show_as_the_tag_they_became(client):
    post = PostFactory(tags=["veg", "vegetables"])

    merge_tags(list(Tag.objects.filter(name="veg")), "vegetables")

    html = client.get("/" + UNCACHED).content.decode()
    assert ">vegetables</a>" in html and ">veg</a>" not in html
    assert [tag["name"] for tag in Post.objects.get(pk=post.pk).stored_tags] == ["vegetables"]


def test_a_deleted_tag_or_topic_leaves_the_posts_that_carried_it(client):
    topic = TopicFactory(name="Gone topic")
    post = PostFactory(tags=["gone-tag", "kept"], topics=[topic])

    Tag.objects.get(name="gone-tag").delete()
    topic.delete()

    post.refresh_from_db()
    assert [tag["name"] for tag in post.stored_tags] == ["kept"]
    assert post.stored_topics == []


def test_a_topic_rename_shows_in_the_post_and_its_breadcrumbs(client):
    topic = TopicFactory(name="Gardening", slug="gardening")
    post = PostFactory(topics=[topic])

    topic.name, topic.slug = "Growing food", "growing-food"
    topic.save()

    html = client.get(post.get_absolute_url() + UNCACHED).content.decode()
    assert 'href="/topics/growing-food/">Growing food</a>' in html
    assert "Gardening" not in html


def test_faq_and_reference_edits_show_on_the_post_page(client):
    post = FullPostFactory(faqs=[{"question": "Old question?"}], references=[{"title": "Old ref"}])

    faq = FAQ.objects.get(post=post)
    faq.question = "Edited question?"
    faq.save()
    post.references.get().delete()
    html = client.get(post.get_absolute_url() + UNCACHED).content.decode()
    assert "Edited question?" in html and "Old question?" not in html
    assert "Old ref" not in html

    post = Post.objects.get(pk=post.pk)
    post.apply_content(
        {
            "faqs": [{"question": "Through the editor?", "answer": "Yes."}],
            "references": [{"title": "A new source", "publisher": "", "year": None, "url": ""}],
        }
    )
    post.save_with_history()
    html = client.get(post.get_absolute_url() + UNCACHED).content.decode()
    assert "Through the editor?" in html and "A new source" in html


def test_stored_blocks_match_the_relational_tables_after_a_save(client):
    writer = UserFactory(display_name="Ann Writer", website="https://ann.example")
    post = FullPostFactory(authors=[writer], tags=["b-tag", "a-tag"])

    post.refresh_from_db()
    assert [a["name"] for a in post.stored_authors] == ["Ann Writer"]
    assert post.stored_authors[0]["same_as"] == ["https://ann.example"]
    assert [t["name"] for t in post.stored_tags] == ["a-tag", "b-tag"]
    assert [t["name"] for t in post.stored_topics] == [t.name for t in post.topics.all()]
    assert [f["question"] for f in post.stored_faqs] == [f.question for f in post.faqs.all()]
    assert [r["title"] for r in post.stored_references] == [r.title for r in post.references.all()]


def test_saving_a_post_loaded_before_a_part_changed_keeps_the_new_part(client):
    post = PostFactory(tags=["kept"])
    stale = Post.objects.get(pk=post.pk)
    FAQFactory(post=post, question="Added meanwhile?")
    Tag.objects.filter(name="kept").update(name="renamed")  # no signal: not stored yet
    Tag.objects.get(name="renamed").save()  # as the admin saves it

    stale.title = "Edited title"
    stale.save_with_history()

    html = client.get(post.get_absolute_url() + UNCACHED).content.decode()
    assert "Edited title" in html and "Added meanwhile?" in html and ">renamed</a>" in html


def test_a_tag_topic_or_author_page_reads_its_scope_once_per_content_generation(
    client, django_assert_num_queries
):
    author, topic = UserFactory(), TopicFactory(name="Soups")
    PostFactory(tags=["stock"], topics=[topic], authors=[author])
    pages = ["/tags/stock/", f"/topics/{topic.slug}/", f"/authors/{author.slug}/"]
    for page in pages:
        client.get(page, {"uncached": "1"})  # not from the page cache: the view runs

        with django_assert_num_queries(1):  # the page of posts; the scope is remembered
            assert client.get(page, {"uncached": "1"}).status_code == 200

    tag = Tag.objects.get(slug="stock")
    tag.name = "Stock and broth"
    tag.save()  # moves the generation: the page reads the tag again

    assert "Stock and broth" in client.get("/tags/stock/", {"uncached": "1"}).text


def test_the_hand_written_list_query_reads_what_the_orm_query_reads():
    from blog.models.cards import PublicCards

    author, topic = UserFactory(), TopicFactory(name="Breads")
    now = timezone.now()
    for hours, status in [(-3, "published"), (-2, "published"), (5, "published"), (-1, "draft")]:
        PostFactory(
            tags=["loaf"],
            topics=[topic],
            authors=[author],
            status=status,
            publish_at=now + timedelta(hours=hours),
        )
    PostFactory(tags=["other"], publish_at=now - timedelta(hours=4))  # same time, other scope
    tag = Tag.objects.get(slug="loaf")

    for scope, queryset in [
        ({}, Post.objects.published()),
        ({"tag": tag}, Post.objects.under(tag=tag)),
        ({"topic": topic}, Post.objects.under(topic=topic)),
        ({"author": author.pk}, Post.objects.under(author=author)),
    ]:
        expected = list(queryset.for_listing())
        assert PublicCards(**scope)[0:50] == expected
        assert PublicCards(**scope)[1:2] == expected[1:2]
        assert PublicCards(**scope).count() == len(expected)
    assert len(PublicCards(tag=tag)[0:50]) == 2  # not the scheduled post, not the draft
