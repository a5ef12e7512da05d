"""Loaded by pytest before Django: settings need a SECRET_KEY since DEBUG is off in tests."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "0123456789abcdef" * 4)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Playwright's sync API runs an event loop in the test thread; the ORM calls beside it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
