"""The post list: its status filter knows "Scheduled", its tag filter is in order and finds any
tag, its search finds authors and tags, and its date hierarchy narrows by publish time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def _titles(client, query):
    response = client.get(f"/admin/blog/post/?{query}")
    assert response.status_code == 200, query  # an unknown filter redirects with ?e=1
    return sorted(post.title for post in response.context["cl"].result_list)


def _filter(response, title):
    return next(spec for spec in response.context["cl"].filter_specs if spec.title == title)


def test_the_status_filter_tells_scheduled_from_published_posts(client, editor):
    PostFactory(title="Out", publish_at=timezone.now() - timedelta(hours=1))
    PostFactory(title="Tomorrow", publish_at=timezone.now() + timedelta(days=1))
    PostFactory(title="Draft", status=Post.Status.DRAFT)
    client.force_login(editor)

    assert _titles(client, "status__exact=scheduled") == ["Tomorrow"]
    assert _titles(client, "status__exact=published") == ["Out"]
    assert _titles(client, "status__exact=draft") == ["Draft"]
    choices = [
        c["display"]
        for c in _filter(client.get("/admin/blog/post/"), "status").choices(
            client.get("/admin/blog/post/").context["cl"]
        )
    ]
    assert choices == ["All", "Draft", "In review", "Scheduled", "Published", "Archived"]


def test_the_tag_filter_lists_tags_alphabetically(client, editor):
    PostFactory(tags=["zucchini", "apples"])
    PostFactory(tags=["zucchini", "Mulch"])
    client.force_login(editor)

    response = client.get("/admin/blog/post/")

    page = response.content.decode()
    shown = [name for name in ("apples", "Mulch", "zucchini") if f">{name}</a>" in page]
    assert shown == ["apples", "Mulch", "zucchini"]
    assert page.index(">apples</a>") < page.index(">Mulch</a>") < page.index(">zucchini</a>")


def test_the_tag_filter_finds_a_tag_beyond_the_most_used_by_its_name(client, editor):
    for i in range(30):
        PostFactory(title=f"Popular {i}", tags=[f"popular-{i:02}", "everywhere"])
    PostFactory(title="The rare one", tags=["windowsill seeds"])
    client.force_login(editor)

    listing = client.get("/admin/blog/post/").content.decode()
    assert ">windowsill seeds</a>" not in listing  # only the 25 most used are links
    assert '<option value="windowsill seeds">' in listing  # but the field suggests it
    assert 'name="tag" list="tag-filter-names"' in listing

    assert _titles(client, "tag=Windowsill+Seeds") == ["The rare one"]
    found = client.get("/admin/blog/post/?tag=Windowsill+Seeds").content.decode()
    assert 'class="selected">\n    <a href="?tag=Windowsill+Seeds">windowsill seeds</a>' in found


def test_the_tag_field_keeps_the_other_filters(client, editor):
    PostFactory(tags=["compost"])
    client.force_login(editor)

    page = client.get("/admin/blog/post/?status__exact=draft&q=soil").content.decode()

    form = page[page.index('class="tag-filter"') : page.index("</form>", page.index("tag-filter"))]
    assert '<input type="hidden" name="status__exact" value="draft">' in form
    assert '<input type="hidden" name="q" value="soil">' in form


def test_a_writer_is_not_offered_tags_of_others_drafts(client, author):
    PostFactory(status=Post.Status.DRAFT, tags=["secret-launch"])
    client.force_login(author)

    page = client.get("/admin/blog/post/").content.decode()

    assert "secret-launch" not in page
    assert _titles(client, "tag=secret-launch") == []


@pytest.mark.parametrize("typed", ["Okafor", "maya_o", "compost"])
def test_search_finds_posts_by_author_name_username_and_tag(client, editor, typed):
    maya = UserFactory(username="maya_o", display_name="Maya Okafor")
    PostFactory(
        title="Hers", authors=[maya, UserFactory()], tags=["compost"] if typed == "compost" else []
    )
    PostFactory(title="Someone else's")
    client.force_login(editor)

    if typed == "compost":
        PostFactory(title="Also compost", tags=["compost"])
        assert _titles(client, f"q={typed}") == ["Also compost", "Hers"]
    else:
        assert _titles(client, f"q={typed}") == ["Hers"]


def test_the_date_hierarchy_narrows_the_list_by_publish_time(client, editor):
    PostFactory(title="March", publish_at=timezone.make_aware(timezone.datetime(2026, 3, 6, 12)))
    PostFactory(title="May", publish_at=timezone.make_aware(timezone.datetime(2026, 5, 1, 12)))
    PostFactory(title="Last year", publish_at=timezone.make_aware(timezone.datetime(2025, 3, 6)))
    client.force_login(editor)

    page = client.get("/admin/blog/post/").content.decode()
    assert 'href="?publish_at__year=2026"' in page and 'href="?publish_at__year=2025"' in page
    assert _titles(client, "publish_at__year=2026") == ["March", "May"]
    assert _titles(client, "publish_at__year=2026&publish_at__month=3") == ["March"]
    months = client.get("/admin/blog/post/?publish_at__year=2026").content.decode()
    assert ">March 2026</a>" in months and ">May 2026</a>" in months
