"""Run by tests/test_db_router.py in a child process whose settings name a replica: prints, as
JSON, how many queries each database answered for each kind of request."""

import json
import time

import django


def probe():
    """Where do the queries of each kind of request go?"""
    # Models can only be imported once Django is set up, here in the child.
    django.setup()
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.http import HttpResponse
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from blog.caching import SIGNED_IN_COOKIE, SIGNED_IN_SALT
    from blog.content_version import set_content_generation
    from blog.models import Post
    from config.db_router import reads_from
    from tests.factories import PostFactory, UserFactory

    if "blog_post" not in connections["default"].introspection.table_names():
        call_command("migrate", verbosity=0)
    editor = UserFactory(username="edith", is_staff=True, is_superuser=True)
    PostFactory(title="Read from a replica", authors=[editor])
    for _ in range(100):  # a streaming replica replays the primary's writes a little later
        if Post.objects.using("replica1").filter(title="Read from a replica").exists():
            break
        time.sleep(0.1)

    def where(action):
        """{"default": n, "replica1": n}: queries each database answered during `action`."""
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections["replica1"]) as replica,
        ):
            result = action()
        return {"default": len(primary), "replica1": len(replica), "result": result}

    def just_changed():
        set_content_generation(time.time_ns())

    def changed_a_minute_ago():
        set_content_generation(time.time_ns() - 60 * 10**9)

    anonymous, logged_in = Client(), Client()
    logged_in.force_login(editor)
    # As a login through the form leaves it: the signed-in marker (blog/caching.py).
    marker = HttpResponse()
    marker.set_signed_cookie(SIGNED_IN_COOKIE, "1", salt=SIGNED_IN_SALT)
    logged_in.cookies[SIGNED_IN_COOKIE] = marker.cookies[SIGNED_IN_COOKIE].value
    found = {}
    just_changed()
    found["anonymous page just after an edit"] = where(lambda: anonymous.get("/").status_code)
    changed_a_minute_ago()
    found["anonymous page"] = where(lambda: "Read from a replica" in anonymous.get("/").text)
    found["anonymous post page"] = where(
        lambda: anonymous.get("/posts/read-from-a-replica/").status_code
    )
    found["logged-in page"] = where(lambda: logged_in.get("/").status_code)
    found["admin"] = where(lambda: logged_in.get("/admin/blog/post/").status_code)
    made_up = Client()
    made_up.cookies["sessionid"] = "madeupsessionkey0123456789"
    found["made-up session cookie"] = where(lambda: made_up.get("/search/?q=replica").status_code)
    found["admin login post"] = where(
        lambda: anonymous.post("/admin/login/", {"username": "x", "password": "y"}).status_code
    )
    found["command"] = where(lambda: Post.objects.count())

    def read_write_read():
        with reads_from("replica1"):
            before = where(lambda: Post.objects.count())
            wrote = where(lambda: Post.objects.update(description="Changed"))
            after = where(lambda: Post.objects.count())
        return [before, wrote, after]

    found["read, write, read"] = where(read_write_read)["result"]

    def in_a_transaction():
        with reads_from("replica1"), transaction.atomic():
            return Post.objects.count()

    found["transaction"] = where(in_a_transaction)
    replica = connections["replica1"]
    if replica.vendor == "postgresql":
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            found["replica is a standby"] = cursor.fetchone()[0]
    print(json.dumps(found))


if __name__ == "__main__":
    probe()
