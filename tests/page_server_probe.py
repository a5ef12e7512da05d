"""Run by tests/test_cache_across_processes.py: a second process serving pages to anonymous
readers from the database and the cache the test shares with it. Each line on its input is a
request as JSON ({"url": ..., "at": Unix time to pretend it is, optional}); each answer is a line
of JSON: status, ETag, text and how many queries serving it ran."""

import json
import os
import sys
from contextlib import nullcontext

import django


def serve():
    # Django must be set up before the test client, models or settings are used, here in the child.
    django.setup()
    import time_machine
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    # The test's Redis cache (tests/conftest.py redis_cache) uses a key prefix of its own.
    prefix = os.environ.get("PROBE_CACHE_KEY_PREFIX")
    cache = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    with override_settings(CACHES=cache) if prefix else nullcontext():
        client = Client()
        for line in sys.stdin:
            request = json.loads(line)
            at = request.get("at")
            with time_machine.travel(at, tick=False) if at else nullcontext():
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(request["url"])
            answer = {
                "status": response.status_code,
                "etag": response.get("ETag"),
                "text": response.content.decode(),
                "queries": len(queries),
            }
            print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    serve()
