"""Production mode refuses to start on an unsafe configuration."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def start(*command, **env):
    """Import the settings in a fresh interpreter, as a server would, with only `env` set."""
    test_only = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT"}
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    return subprocess.run(
        [sys.executable, *(command or ["-c", "import config.settings"])],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        check=False,
    )


SERVE = ["-c", "import config.wsgi"]
CHECK = ["manage.py", "check", "--deploy"]


RUNSERVER = ["-c", "from django.core.servers.basehttp import get_internal_wsgi_application as g; "
             "import django; django.setup(); g()"]  # fmt: skip


@pytest.mark.parametrize(
    "how", [SERVE, RUNSERVER, CHECK], ids=["wsgi server", "runserver", "check --deploy"]
)
def test_production_mode_refuses_to_start_without_a_secret_key(how):
    result = start(*how, DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("weak", ["short", "ab" * 40, "django-insecure-" + "x1y2z3" * 10])
def test_production_mode_refuses_a_weak_or_insecure_secret_key(weak):
    result = start(*SERVE, SECRET_KEY=weak, ALLOWED_HOSTS="example.com")

    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_production_mode_starts_with_a_real_secret_key():
    key = "a" * 20 + "B" * 20 + "0123456789"
    assert start(*SERVE, SECRET_KEY=key, ALLOWED_HOSTS="example.com").returncode == 0


def test_development_mode_starts_without_a_secret_key():
    assert start(*SERVE, DEBUG="1").returncode == 0


def test_code_only_commands_run_without_a_secret_key():
    result = start("manage.py", "makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stderr


def test_a_misspelt_boolean_is_an_error_that_names_the_variable():
    result = start(DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_deployment_checks_pass_in_production_mode():
    result = start(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="kX9-vQ2_mR7pL4wZ8nB3cT6yH1jF5sD0gA" * 2,
        ALLOWED_HOSTS="example.com",
        SECURE_SSL_REDIRECT="1",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deployment_checks_pass_with_the_documented_production_environment():
    """The environment README's "Deploying" section gives, PostgreSQL, Redis and a replica
    included, with TLS redirect and HSTS at their production defaults."""
    result = start(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="kX9-vQ2_mR7pL4wZ8nB3cT6yH1jF5sD0gA" * 2,
        ALLOWED_HOSTS="example.com,www.example.com",
        CSRF_TRUSTED_ORIGINS="https://example.com",
        DATABASE_URL="postgres://byline:secret@db.internal:5432/byline",
        DATABASE_REPLICA_URLS="postgres://byline:secret@replica.internal:5432/byline",
        REDIS_URL="redis://cache.internal:6379/0",
        MEDIA_URL="https://media.example-usercontent.com/",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_every_environment_variable_the_settings_read_is_documented():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    read = set(re.findall(r'(?:os\.environ\.get|env_bool|env_list)\(\s*"(\w+)"', settings_source))
    read |= set(re.findall(r'"(\w+)" (?:not )?in os\.environ', settings_source))

    assert read >= {"SECRET_KEY", "DATABASE_URL", "DATABASE_REPLICA_URLS", "REDIS_URL"}
    undocumented = sorted(name for name in read if f"`{name}`" not in readme)
    assert not undocumented, f"not in README.md: {undocumented}"


def _mail_settings(**env):
    """The mail settings a process started with `env` has, as printed by it."""
    show = "import config.settings as s; print(s.MAILERS, s.DEFAULT_FROM_EMAIL, s.BYLINE_SITE_URL)"
    return start("-c", show, **env)


def test_a_development_site_without_a_mail_server_prints_emails_on_the_console():
    result = _mail_settings(DEBUG="1")

    assert "console.EmailBackend" in result.stdout
    assert "http://127.0.0.1:8000" in result.stdout


def test_the_mail_server_is_configured_from_the_environment():
    result = _mail_settings(
        SECRET_KEY="kX9-vQ2_mR7pL4wZ8nB3cT6yH1jF5sD0gA" * 2,
        ALLOWED_HOSTS="news.example.com,www.news.example.com",
        EMAIL_HOST="smtp.example.net",
        EMAIL_HOST_USER="byline",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="1",
    )

    assert result.returncode == 0, result.stderr
    assert "smtp.EmailBackend" in result.stdout
    for option in [
        "'host': 'smtp.example.net'",
        "'username': 'byline'",
        "'password': 's3cret'",
        "'use_tls': True",
        "'use_ssl': False",
        "'timeout': 10",
        "'port': None",
    ]:
        assert option in result.stdout
    assert "The Byline Review <noreply@news.example.com>" in result.stdout
    assert "https://news.example.com" in result.stdout


def test_starttls_and_tls_from_the_first_byte_together_are_refused():
    result = _mail_settings(
        DEBUG="1", EMAIL_HOST="smtp.example.net", EMAIL_USE_TLS="1", EMAIL_USE_SSL="1"
    )

    assert result.returncode != 0
    assert "EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both" in result.stderr


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")
def test_postgresql_sessions_do_not_jit_compile_or_start_parallel_workers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather')"
        )
        assert cursor.fetchone() == ("off", "0")
