"""Loaded by pytest before Django: settings need a SECRET_KEY since DEBUG is off in tests."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
