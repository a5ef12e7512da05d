"""Author profiles in the admin: writers edit their own, Editors everyone's, and nobody but a
superuser touches roles, permissions or other people's passwords."""

import pytest

from accounts.models import User
from tests.factories import UserFactory
from tests.helpers import profile_form

pytestmark = pytest.mark.django_db


def test_a_superuser_can_open_the_add_user_page_and_create_an_author(client, superuser):
    client.force_login(superuser)

    assert client.get("/admin/accounts/user/add/").status_code == 200
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "display_name": "New Writer",
            "email": "new@example.com",
            "usable_password": "true",
            "password1": "a-long-pass-phrase-1",
            "password2": "a-long-pass-phrase-1",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="newbie").slug == "new-writer"


def test_a_contributor_edits_their_own_profile(client, contributor):
    client.force_login(contributor)
    url = f"/admin/accounts/user/{contributor.pk}/change/"

    assert client.get(url).status_code == 200
    client.post(url, profile_form(contributor, bio="I grow *beans*."))

    contributor.refresh_from_db()
    assert contributor.bio_html == "<p>I grow <em>beans</em>.</p>"


def test_a_contributor_cannot_see_or_edit_anyone_else(client, contributor):
    other = UserFactory(bio="Untouched.")
    client.force_login(contributor)

    listing = client.get("/admin/accounts/user/").content.decode()
    client.post(f"/admin/accounts/user/{other.pk}/change/", profile_form(other, bio="Hacked"))

    assert other.username not in listing
    other.refresh_from_db()
    assert other.bio == "Untouched."


def test_nobody_but_a_superuser_grants_roles_even_with_a_crafted_post(client, editor):
    writer = UserFactory()
    client.force_login(editor)

    client.post(
        f"/admin/accounts/user/{editor.pk}/change/",
        profile_form(editor, is_superuser="on", groups=["1", "2", "3"], bio="Editor bio"),
    )
    client.post(
        f"/admin/accounts/user/{writer.pk}/change/",
        profile_form(writer, is_staff="on", bio="Edited by the editor"),
    )

    editor.refresh_from_db()
    writer.refresh_from_db()
    assert not editor.is_superuser and editor.bio == "Editor bio"
    assert writer.bio == "Edited by the editor" and not writer.is_staff


def test_only_a_superuser_changes_someone_elses_password(client, editor, superuser):
    client.force_login(editor)

    assert client.get(f"/admin/accounts/user/{superuser.pk}/password/").status_code == 403
    assert client.get(f"/admin/accounts/user/{editor.pk}/password/").status_code == 200
