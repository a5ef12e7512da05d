"""Run by tests/test_content_version.py in a second process that shares the test's generation
file: bumps the content generation and prints, as JSON, the version and the ETag of a page that
it then sees."""

import json
import sys

import django


def probe(url):
    # Models can only be imported once Django is set up, here in the child.
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory

    from blog.caching import page_digest
    from blog.content_version import bump_content_generation, content_version

    if "blog_post" not in connection.introspection.table_names():
        call_command("migrate", verbosity=0)
    bump_content_generation()
    generation, passed, _ = content_version()
    digest = page_digest(RequestFactory().get(url), generation, passed)
    print(json.dumps({"generation": generation, "etag": f'W/"{digest}"'}))


if __name__ == "__main__":
    probe(sys.argv[1])
