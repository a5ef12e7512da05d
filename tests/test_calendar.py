"""The editorial calendar: what each role sees on it, moving posts to another day through the
workflow's rules and the conflict check, clashes flagged in words, and the signed iCal feed."""

import datetime as dt
import json

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blog import ical
from blog.models import Post, StateChange
from tests.factories import PostFactory, TopicFactory, UserFactory
from tests.helpers import post_form

pytestmark = pytest.mark.django_db

# A Wednesday, mid-morning; the site's time zone is UTC.
NOW = dt.datetime(2030, 3, 6, 10, 30, tzinfo=dt.UTC)
MONTH = "/admin/blog/post/calendar/2030/3/"
MOVE = "/admin/blog/post/calendar/move/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def at(day, hour=9, minute=0):
    return dt.datetime(2030, 3, day, hour, minute, tzinfo=dt.UTC)


def scheduled(day, hour=9, minute=0, **kwargs):
    return PostFactory(publish_at=at(day, hour, minute), **kwargs)


def draft(planned=None, status=Post.Status.DRAFT, **kwargs):
    return PostFactory(status=status, planned_for=planned, **kwargs)


def stored(post):
    return Post.objects.get(pk=post.pk)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def move(client, post, day, version=None, **extra):
    version = stored(post).version if version is None else version
    data = {"post": post.pk, "version": version, "day": day, "next": MONTH, **extra}
    return client.post(MOVE, data)


# What each role sees --------------------------------------------------------------------------


def test_editor_sees_every_post_and_the_tray(client, editor, author, contributor):
    scheduled(10, title="Their scheduled post", authors=[author])
    draft(dt.date(2030, 3, 12), title="Their planned draft", authors=[author])
    draft(title="Their unplanned draft", authors=[author])
    PostFactory(publish_at=at(2), title="Out already")
    client.force_login(editor)

    page = client.get(MONTH).content.decode()

    for title in ("Their scheduled post", "Their planned draft", "Out already"):
        assert title in page
    tray = page.split('id="cal-tray-heading"')[1]
    assert "Their unplanned draft" in tray


def test_contributor_sees_own_posts_and_public_ones_only(client, contributor, author):
    scheduled(10, title="Their scheduled post", authors=[author])
    draft(dt.date(2030, 3, 12), title="Their planned draft", authors=[author])
    draft(title="Their unplanned draft", authors=[author])
    PostFactory(publish_at=at(2), title="Out already", authors=[author])
    draft(dt.date(2030, 3, 11), title="My planned draft", authors=[contributor])
    draft(title="My unplanned draft", authors=[contributor])
    client.force_login(contributor)

    page = client.get(MONTH).content.decode()

    assert "Out already" in page
    assert "My planned draft" in page
    assert "My unplanned draft" in page
    for title in ("scheduled post", "planned draft</a", "unplanned draft</a"):
        assert f"Their {title}" not in page


def test_month_is_a_table_of_days_with_headers(client, editor):
    client.force_login(editor)
    page = client.get(MONTH).content.decode()
    assert "<caption>March 2030</caption>" in page
    table = page.split('<table class="cal-table cal-table--month">')[1].split("</table>")[0]
    assert table.count('<th scope="col">') == 7
    assert table.count('<th scope="row"') == 6  # the weeks of March 2030, Sunday first
    assert table.count('<td class="cal-day') == 42
    assert 'data-day="2030-03-06"' in page and 'aria-current="date"' in page
    assert "admin/js/editorial-calendar.js" in page and "<script>" not in page  # no inline script


def test_week_view_has_a_row_per_hour_with_posts(client, editor):
    scheduled(5, hour=9, title="Morning post")
    scheduled(7, hour=14, title="Afternoon post")
    draft(dt.date(2030, 3, 8), title="A plan")
    client.force_login(editor)
    page = client.get("/admin/blog/post/calendar/week/2030/3/6/").content.decode()
    assert '<th scope="row">09:00</th>' in page and '<th scope="row">14:00</th>' in page
    assert '<th scope="row">Planned</th>' in page
    assert page.index("A plan") < page.index("Morning post") < page.index("Afternoon post")


def test_calendar_costs_the_same_queries_however_many_posts(client, editor, contributor):
    def queries(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(MONTH).status_code == 200
        # The calendar's own: sessions and the go-live watchdog come and go by the minute.
        return sum('"blog_post' in query["sql"] for query in captured.captured_queries)

    scheduled(10, authors=[contributor])
    draft(dt.date(2030, 3, 12), authors=[contributor])
    draft(authors=[contributor])  # (an empty tray would skip its two prefetches)
    few = queries(editor), queries(contributor)
    topic = TopicFactory(name="Gardening")
    for day in range(7, 28):
        writers = [contributor, UserFactory()]
        scheduled(day, topics=[topic], authors=writers)
        draft(dt.date(2030, 3, day), topics=[topic], authors=writers)
        draft(authors=writers)
    assert (queries(editor), queries(contributor)) == few == (6, 6)


def test_calendar_needs_a_login(client):
    response = client.get("/admin/blog/post/calendar/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_post_list_links_to_the_calendar(client, editor):
    client.force_login(editor)
    assert 'href="/admin/blog/post/calendar/"' in client.get("/admin/blog/post/").content.decode()


# Moving ---------------------------------------------------------------------------------------


def test_editor_moves_a_scheduled_post_keeping_its_time_of_day(client, editor):
    post = scheduled(10, hour=9, minute=15, title="On the move")
    client.force_login(editor)

    response = move(client, post, "2030-03-14")

    assert response.status_code == 302 and response["Location"] == MONTH
    assert stored(post).publish_at == at(14, 9, 15)
    assert stored(post).is_scheduled()
    assert "“On the move” moved: scheduled for Thursday 14 March 2030, 09:15." in messages_of(
        response
    )
    change = StateChange.objects.filter(post=post).first()
    assert change.by == editor and change.publish_at == at(14, 9, 15)


def test_contributor_plans_own_draft_and_takes_it_back_to_the_tray(client, contributor):
    post = draft(title="My draft", authors=[contributor])
    client.force_login(contributor)

    move(client, post, "2030-03-20")
    assert stored(post).planned_for == dt.date(2030, 3, 20)
    assert stored(post).status == Post.Status.DRAFT  # planning publishes nothing

    response = move(client, post, "2030-03-20", unplan="1")
    assert stored(post).planned_for is None
    assert "“My draft” moved: back among the unplanned drafts." in messages_of(response)


def test_contributor_cannot_move_someone_elses_post(client, contributor, author):
    public = PostFactory(publish_at=at(2), title="Theirs", authors=[author])
    theirs = draft(dt.date(2030, 3, 12), authors=[author])
    client.force_login(contributor)

    response = move(client, public, "2030-03-01")
    assert stored(public).publish_at == at(2)
    assert any("was not moved" in message for message in messages_of(response))
    # A draft they may not see is not there to move.
    assert move(client, theirs, "2030-03-13").status_code == 404
    assert stored(theirs).planned_for == dt.date(2030, 3, 12)


def test_contributor_cannot_reschedule_even_their_own_post(client, contributor):
    post = scheduled(10, authors=[contributor], title="Mine, scheduled")
    client.force_login(contributor)

    response = move(client, post, "2030-03-12")

    assert stored(post).publish_at == at(10)
    assert (
        "“Mine, scheduled” was not moved: You may not reschedule “Mine, scheduled”: that needs "
        "the right to publish it." in messages_of(response)
    )
    assert 'draggable="true"' not in client.get(MONTH).content.decode()


def test_author_reschedules_own_post_but_not_someone_elses(client, author):
    mine = scheduled(10, authors=[author], title="Mine")
    theirs = scheduled(11, title="Theirs")
    client.force_login(author)

    move(client, mine, "2030-03-12")
    response = move(client, theirs, "2030-03-12")

    assert stored(mine).publish_at == at(12)
    assert response.status_code == 404  # someone else's scheduled post is not theirs to see
    assert stored(theirs).publish_at == at(11)


def test_move_without_the_csrf_token_is_refused(editor):
    post = draft()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    response = browser.post(MOVE, {"post": post.pk, "version": post.version, "day": "2030-03-20"})
    assert response.status_code == 403
    assert stored(post).planned_for is None


def test_plan_whose_day_has_passed_is_marked_overdue(client, editor):
    draft(dt.date(2030, 3, 4), title="Forgotten plan")
    client.force_login(editor)
    page = client.get(MONTH).content.decode()
    entry = page.split("Forgotten plan</a>")[1].split("</li>")[0]
    assert "overdue" in entry


def test_move_from_a_calendar_shown_before_another_save_is_refused(client, editor, author):
    post = scheduled(10, title="Busy post", authors=[author])
    shown = stored(post).version
    other = stored(post)
    other.title = "Busy post, retitled"
    other.save_with_history(by=author)
    client.force_login(editor)

    response = move(client, post, "2030-03-12", version=shown)

    assert stored(post).publish_at == at(10)
    assert (
        f"“Busy post, retitled” was not moved: {author.name} saved it after this calendar was "
        "shown. Look at where it stands now, then move it again." in messages_of(response)
    )


def test_public_post_is_not_moved_into_the_future(client, editor):
    post = PostFactory(publish_at=at(2, 8), title="Live one")
    client.force_login(editor)

    response = move(client, post, "2030-03-09")

    assert stored(post).publish_at == at(2, 8) and stored(post).is_published()
    assert (
        "“Live one” was not moved: “Live one” is already public: moving it to Saturday 9 March "
        "2030 would take it off the site until then. To publish it again later, move it back to "
        "draft and schedule it." in messages_of(response)
    )
    move(client, post, "2030-03-01")  # to another past day it may go
    assert stored(post).publish_at == at(1, 8)


def test_scheduled_post_is_not_moved_into_the_past(client, editor):
    post = scheduled(10, title="Soon")
    client.force_login(editor)
    response = move(client, post, "2030-03-01")
    assert stored(post).publish_at == at(10)
    assert any("needs a publish time in the future" in m for m in messages_of(response))


def test_draft_is_not_planned_for_a_day_gone_by(client, editor):
    post = draft(title="Late")
    client.force_login(editor)
    response = move(client, post, "2030-03-01")
    assert stored(post).planned_for is None
    assert any("that day has passed" in m for m in messages_of(response))


def test_move_elsewhere_than_this_site_goes_back_to_the_calendar(client, editor):
    post = draft()
    client.force_login(editor)
    response = move(client, post, "2030-03-20", next="https://evil.example/")
    assert response["Location"] == "/admin/blog/post/calendar/"


def test_planned_day_is_in_the_post_form_and_merges_with_a_calendar_move(client, editor):
    post = draft(dt.date(2030, 3, 12), authors=[editor])
    post.save_with_history(by=editor)  # a revision to merge from
    client.force_login(editor)
    opened = stored(post)
    form = post_form(
        opened,
        title="Retitled in the form",
        planned_for="2030-03-12",
        version=opened.version,
        loaded=json.dumps(opened.unversioned_fields()),
        **{"postauthor_set-TOTAL_FORMS": "0"},
    )
    assert (
        'name="planned_for"' in client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    )
    move(client, post, "2030-03-15")  # meanwhile, in the calendar

    client.post(f"/admin/blog/post/{post.pk}/change/", form)

    assert stored(post).title == "Retitled in the form"
    assert stored(post).planned_for == dt.date(2030, 3, 15)  # the move is kept


# Clashes --------------------------------------------------------------------------------------


def test_clashes_are_flagged_in_words(client, editor, author):
    garden = TopicFactory(name="Gardening")
    reviewed = scheduled(10, hour=9, title="First at nine")
    StateChange.objects.create(
        post=reviewed, from_status="draft", to_status="review", publish_at=reviewed.publish_at
    )
    scheduled(10, hour=9, minute=40, title="Second at nine")
    draft(dt.date(2030, 3, 12), title="Garden plan A", topics=[garden])
    draft(dt.date(2030, 3, 12), title="Garden plan B", topics=[garden], status="review")
    draft(dt.date(2030, 3, 13), title="Garden plan C", topics=[garden])
    client.force_login(editor)

    page = client.get(MONTH).content.decode()

    assert "Clash: same hour (09:00) as “Second at nine”." in page
    assert "Clash: same hour (09:00) as “First at nine”." in page
    assert "Clash: another Gardening post this day: “Garden plan B”." in page
    assert page.count("Clash: another Gardening post") == 2  # plan C is alone on its day
    assert page.count("Scheduled without ever being reviewed.") == 1
    second = page.split("Second at nine</a>")[1].split("</details>")[0]
    assert "Scheduled without ever being reviewed." in second


def test_past_clashes_are_not_flagged(client, editor):
    PostFactory(publish_at=at(2, 9), title="Old one")
    PostFactory(publish_at=at(2, 9, 30), title="Old two")
    client.force_login(editor)
    assert "Clash:" not in client.get(MONTH).content.decode()


# The iCal feed --------------------------------------------------------------------------------


def unfolded(text):
    return text.replace("\r\n ", "")


def test_ical_feed_is_signed_escaped_and_folded(client, editor):
    title = "Salt, pepper; and a back\\slash\nin a title — with “quotes” " + "é" * 40
    post = scheduled(10, hour=9, title=title)
    draft(dt.date(2030, 3, 12), title="A planned one")

    response = client.get(ical.feed_path(editor))  # no login

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    text = unfolded(raw.decode())
    summary = (
        "SUMMARY:Salt\\, pepper\\; and a back\\\\slash\\nin a title — with “quotes” "
        + "é" * 40
        + " (Scheduled)\r\n"
    )
    assert summary in text
    assert f"UID:post-{post.uuid}@testserver\r\nDTSTAMP:" in text
    assert "DTSTART:20300310T090000Z\r\n" in text
    assert "DTSTART;VALUE=DATE:20300312\r\nDTEND;VALUE=DATE:20300313\r\n" in text
    assert "SUMMARY:A planned one (Draft)\r\n" in text


def test_ical_feed_holds_what_its_owner_may_see(client, contributor, author):
    scheduled(10, title="Their scheduled post", authors=[author])
    draft(dt.date(2030, 3, 12), title="My plan", authors=[contributor])
    text = unfolded(client.get(ical.feed_path(contributor)).content.decode())
    assert "My plan" in text and "scheduled post" not in text


def test_ical_feed_with_a_bad_signature_is_not_found(client, editor):
    good = ical.feed_path(editor)
    token = good.removeprefix("/calendar/").removesuffix(".ics")
    forged = signing.dumps({"u": editor.pk, "v": 0}, salt="another.salt")
    assert client.get(f"/calendar/{token[:-2]}xx.ics").status_code == 404
    assert client.get(f"/calendar/{forged}.ics").status_code == 404
    # Another person's number under the signature made for this one's.
    other = UserFactory(is_staff=True)
    payload = signing.b64_encode(json.dumps({"u": other.pk, "v": 0}).encode()).decode()
    signature = token.rsplit(":", 1)[1]
    assert client.get(f"/calendar/{payload}:{signature}.ics").status_code == 404


def test_reset_link_retires_the_old_feed_address(client, editor):
    old = ical.feed_path(editor)
    client.force_login(editor)
    assert old in client.get(MONTH).content.decode()

    response = client.post("/admin/blog/post/calendar/feed/reset/")

    editor.refresh_from_db()
    new = ical.feed_path(editor)
    assert new != old and new in client.get(MONTH).content.decode()
    assert any("the old one no longer works" in m for m in messages_of(response))
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_feed_of_someone_no_longer_staff_is_not_found(client, editor):
    path = ical.feed_path(editor)
    editor.is_staff = False
    editor.save()
    assert client.get(path).status_code == 404


def test_feed_is_private(client, editor):
    response = client.get(ical.feed_path(editor))
    assert "private" in response["Cache-Control"]
