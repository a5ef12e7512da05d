"""Loaded by pytest before Django: settings need a SECRET_KEY since DEBUG is off in tests, and
REDIS_URL is for the Redis tests alone."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "0123456789abcdef" * 4)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Playwright's sync API runs an event loop in the test thread; the ORM calls beside it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# REDIS_URL names the Redis that the redis_cache fixture uses (CI sets it, and the Redis tests then
# fail instead of skipping when it does not answer). Settings do not see it: the rest of the suite
# keeps the local-memory cache, as it does wherever REDIS_URL is not set.
REDIS_URL = os.environ.pop("REDIS_URL", "")
