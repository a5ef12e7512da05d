"""Odd values in the admin's address bar get a clear message or are ignored, never a 500
(PostgreSQL refuses NUL characters in text; SQLite does not, so both must be tested)."""

import pytest

from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("/admin/blog/post/?tag=%00", ""),
        ("/admin/blog/post/?status__exact=%00", ""),
        ("/admin/blog/post/?status__exact=draft&tag=a%00b", "?status__exact=draft"),
        ("/admin/blog/post/?q=x&ta%00g=x", "?q=x"),
        ("/admin/blog/statechange/?to_status__exact=%00", ""),
        ("/admin/blog/topic/?o=%00", ""),
        ("/admin/taggit/tag/?name=%00", ""),
        ("/admin/accounts/user/?groups__id__exact=%00", ""),
        ("/admin/accounts/user/?q=a%00", ""),
    ],
)
def test_a_filter_holding_a_nul_character_is_dropped_with_a_message(client, superuser, url, kept):
    PostFactory(tags=["a"])
    client.force_login(superuser)

    response = client.get(url)
    shown = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == url.split("?")[0] + kept
    assert shown.status_code == 200
    assert "its value holds a NUL character, which is not text" in shown.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/autocomplete/?app_label=taggit&model_name=taggeditem&field_name=tag&term=%00",
        "/admin/autocomplete/?app_label=blog&model_name=faq&field_name=post&term=a%00",
    ],
)
def test_an_autocomplete_search_holding_a_nul_character_searches_without_it(client, superuser, url):
    PostFactory(tags=["a"])
    client.force_login(superuser)

    assert client.get(url).status_code == 200
