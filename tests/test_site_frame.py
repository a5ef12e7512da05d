"""The site's frame (header and footer), rendered once per process and content version
(blog/frame.py): each page still marks its own menu link, and the frame follows every change."""

import re
from datetime import date

import pytest
import time_machine
from django.utils import timezone

from blog.content_version import content_version
from blog.menus import site_menus
from blog.models import Menu, MenuItem
from tests.factories import PostFactory, TopicFactory

pytestmark = pytest.mark.django_db

UNCACHED = "?uncached=1"


def page(client, url="/"):
    return client.get(url + UNCACHED).content.decode()


def current_links(html):
    return re.findall(r'<a href="([^"]*)" aria-current="page">', html)


def test_only_a_menu_links_own_page_marks_it_as_current_whichever_is_rendered_first(client):
    TopicFactory(name="Cooking", slug="cooking")
    TopicFactory(name="Travel", slug="travel")
    post = PostFactory(title="Soup")

    assert current_links(page(client, "/topics/cooking/")) == ["/topics/cooking/"]
    assert current_links(page(client, "/topics/travel/")) == ["/topics/travel/"]
    assert current_links(page(client, post.get_absolute_url())) == []
    assert current_links(page(client)) == []
    assert current_links(page(client, "/topics/cooking/")) == ["/topics/cooking/"]


def test_the_frame_follows_a_menu_change_and_a_new_topic(client):
    TopicFactory(name="Cooking", slug="cooking")
    assert "Cooking</a>" in page(client)

    TopicFactory(name="Travel", slug="travel")  # the default header menu lists the topics
    assert "Travel</a>" in page(client)

    header = Menu.objects.create(location=Menu.Location.HEADER)
    MenuItem.objects.create(
        menu=header, kind=MenuItem.Kind.LINK, order=1, url="https://shop.example/", label="Shop"
    )
    html = page(client)
    assert '<a href="https://shop.example/">Shop</a>' in html and "Travel</a>" not in html


def test_the_footer_shows_the_year_it_is_read_in(client):
    content_version(), site_menus()
    with time_machine.travel(timezone.make_aware(timezone.datetime(2031, 12, 31, 12))):
        assert "&copy; 2031 " in page(client)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2032, 1, 1, 12))):
        assert "&copy; 2032 " in page(client)
    assert f"&copy; {date.today().year} " in page(client)


def test_the_search_page_has_one_search_box_its_own_and_other_pages_the_headers(client):
    PostFactory(title="Tomatoes")

    search = client.get("/search/?q=tomatoes").content.decode()
    home = page(client)

    assert search.count('role="search"') == 1 and 'id="page-search"' in search
    assert 'value="tomatoes"' in search
    assert home.count('role="search"') == 1 and 'id="site-search"' in home
    assert "site-header__name" in search  # the rest of the header is there
