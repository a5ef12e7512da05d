"""Login protection (issue 8, finding 7): password guessing is locked out before the password
hasher runs, logins are recorded without secrets for superusers only, staff can add a TOTP
second factor, and idle sessions end."""

import contextlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError

from tests.browser import SCREENSHOTS, requires_chromium
from tests.factories import UserFactory

LOGIN = "/admin/login/"
PASSWORD = "pass-word-123"  # tests.factories.UserFactory's
ATTACKER = "203.0.113.9"
EDITORS_DESK = "198.51.100.20"


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting how often a password is hashed."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)

    def verify(self, password, encoded):
        CountingHasher.calls += 1
        return super().verify(password, encoded)


def log_in(client, username, password, address=ATTACKER, code=None, **headers):
    data = {"username": username, "password": password, "next": "/admin/"}
    if code is not None:
        data["otp_token"] = code
    return client.post(LOGIN, data, REMOTE_ADDR=address, **headers)


def is_logged_in(client):
    return client.get("/admin/").status_code == 200


def guess(client, username, times, address=ATTACKER):
    for n in range(times):
        log_in(client, username, f"wrong-guess-{n}", address)


def inline_scripts(html):
    """Inline <script> blocks and on* handlers: what a strict CSP without 'unsafe-inline' blocks."""
    return re.findall(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", html)


def current_code(device):
    return str(TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token())


@pytest.fixture
def totp(editor):
    return TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)


# Throttling


def test_password_guessing_locks_the_account_and_then_refuses_even_the_right_password(
    client, editor
):
    for n in range(4):
        response = log_in(client, "edith", f"wrong-guess-{n}")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text
    response = log_in(client, "edith", "wrong-guess-4")
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert response["Retry-After"] == "900"

    guess(client, "edith", 45)
    response = log_in(client, "edith", PASSWORD)
    assert response.status_code == 429
    assert "paused for 15 minutes" in " ".join(response.text.split())
    assert not is_logged_in(client)


def test_locked_out_attempts_never_run_the_password_hasher(client, editor, settings):
    settings.PASSWORD_HASHERS = ["tests.test_login_security.CountingHasher"]
    guess(client, "edith", 5)
    guess(client, "nobody-here", 5)
    CountingHasher.calls = 0
    guess(client, "edith", 20)
    guess(client, "nobody-here", 20)
    log_in(client, "edith", PASSWORD)
    assert CountingHasher.calls == 0


def test_the_locked_account_still_logs_in_from_another_address(client, editor):
    guess(client, "edith", 10, address=ATTACKER)
    assert log_in(client, "edith", PASSWORD, address=EDITORS_DESK).status_code == 302
    assert is_logged_in(client)


def test_other_accounts_still_log_in_from_the_locked_address(client, editor, author):
    guess(client, "edith", 5, address=ATTACKER)
    assert log_in(client, "arthur", PASSWORD, address=ATTACKER).status_code == 302


def test_an_address_guessing_many_accounts_is_locked_out_for_every_account(client, editor):
    for n in range(20):
        log_in(client, f"guess-{n}", "password1")
    assert log_in(client, "edith", PASSWORD).status_code == 429
    assert log_in(client, "edith", PASSWORD, address=EDITORS_DESK).status_code == 302


def test_a_lockout_ends_after_fifteen_minutes_and_refused_attempts_write_nothing(client, editor):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        guess(client, "edith", 5)
        failures = AccessFailureLog.objects.count()
        clock.shift(timedelta(minutes=14))
        guess(client, "edith", 50)
        assert log_in(client, "edith", PASSWORD).status_code == 429
        assert AccessFailureLog.objects.count() == failures
        assert AccessAttempt.objects.get(username="edith").failures_since_start == 5
        clock.shift(timedelta(minutes=2))
        assert log_in(client, "edith", PASSWORD).status_code == 302


def test_a_lockout_tells_nothing_about_whether_the_account_exists(client, editor):
    guess(client, "edith", 4, address=ATTACKER)
    guess(client, "edit", 4, address=EDITORS_DESK)
    existing = log_in(client, "edith", "wrong", address=ATTACKER)
    unknown = log_in(client, "edit", "wrong", address=EDITORS_DESK)
    assert existing.status_code == unknown.status_code == 429
    assert existing.content == unknown.content


def test_forwarded_for_headers_are_ignored_without_a_trusted_proxy(client, editor):
    for n in range(5):  # an attacker rotating the header to look like many addresses
        log_in(client, "edith", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert log_in(client, "edith", PASSWORD, HTTP_X_FORWARDED_FOR="10.0.1.1").status_code == 429


def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(client, editor, settings):
    settings.BYLINE_PROXY_COUNT = 1
    proxy, attacker = "127.0.0.1", "192.0.2.7"
    for n in range(5):  # what the client wrote comes before what the proxy appended
        log_in(client, "edith", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, {attacker}")
    locked = log_in(client, "edith", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=attacker)
    assert locked.status_code == 429
    desk = log_in(client, "edith", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=EDITORS_DESK)
    assert desk.status_code == 302


def test_a_superuser_unlocks_an_account_with_the_management_command(client, editor):
    guess(client, "edith", 5)
    call_command("axes_reset_username", "edith")
    assert log_in(client, "edith", PASSWORD).status_code == 302


def test_a_superuser_unlocks_an_account_from_the_admin(client, editor, superuser):
    guess(client, "edith", 5)
    client.force_login(superuser)
    attempts = AccessAttempt.objects.filter(username="edith")
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "unlock", "_selected_action": [a.pk for a in attempts]},
        follow=True,
    )
    assert "Unlocked" in response.text
    client.logout()
    assert log_in(client, "edith", PASSWORD).status_code == 302


# Records


def test_failed_and_successful_logins_are_recorded_without_secrets(client, editor):
    log_in(client, "edith", "Hunter2-wrong-guess")
    log_in(client, "Edith-typed-her-Pa55word", "x")  # a password in the username field
    log_in(client, "edith", PASSWORD, address=EDITORS_DESK)

    assert AccessFailureLog.objects.filter(username="edith", ip_address=ATTACKER).exists()
    assert AccessLog.objects.filter(username="edith", ip_address=EDITORS_DESK).exists()
    stored = " ".join(
        str(value)
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
        for row in model.objects.values()
        for value in row.values()
    )
    for secret in ("Hunter2-wrong-guess", "Pa55word", PASSWORD):
        assert secret not in stored


@pytest.mark.parametrize("role", ["editor", "author", "contributor"])
def test_login_records_are_hidden_from_every_role(client, role, request, superuser):
    client.force_login(request.getfixturevalue(role))
    for url in (
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
        "/admin/axes/accessfailurelog/",
        "/admin/otp_totp/totpdevice/",
    ):
        assert client.get(url).status_code == 403, url
    assert "Access attempts" not in client.get("/admin/").text


def test_login_records_are_visible_to_superusers(client, editor, superuser):
    guess(client, "edith", 2)
    client.force_login(superuser)
    assert "edith" in client.get("/admin/axes/accessattempt/").text
    assert "edith" in client.get("/admin/axes/accessfailurelog/").text
    assert "root" in client.get("/admin/axes/accesslog/").text


# Two-factor authentication


def test_a_staff_user_enrols_an_authenticator_app_from_the_admin(client, contributor):
    client.force_login(contributor)
    assert "Two-factor authentication" in client.get("/admin/").text
    client.post("/admin/two-factor/", {"action": "start"})
    page = client.get("/admin/two-factor/")
    assert '<svg width="' in page.text  # the QR code, inline
    assert inline_scripts(page.text) == []
    device = TOTPDevice.objects.get(user=contributor)
    assert not device.confirmed

    wrong = client.post("/admin/two-factor/", {"action": "confirm", "code": "000000"})
    assert "That code was not accepted" in wrong.text
    with time_machine.travel(timedelta(seconds=2)):  # django-otp's wait after a wrong code
        response = client.post(
            "/admin/two-factor/", {"action": "confirm", "code": current_code(device)}
        )
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert is_logged_in(client)


def test_login_without_the_code_is_refused_once_enrolled(client, totp):
    response = log_in(client, "edith", PASSWORD)
    assert response.status_code == 200
    assert "Enter the 6-digit code" in response.text
    assert not is_logged_in(client)


def test_login_with_a_valid_code_is_accepted_and_a_replayed_code_refused(client, totp):
    code = current_code(totp)
    assert log_in(client, "edith", PASSWORD, code=code).status_code == 302
    assert is_logged_in(client)
    client.post("/admin/logout/")

    response = log_in(client, "edith", PASSWORD, code=code)
    assert "already been used" in response.text
    assert not is_logged_in(client)


def test_wrong_codes_with_the_right_password_lock_the_account_out(client, totp):
    for n in range(5):
        response = log_in(client, "edith", PASSWORD, code=f"{n:06d}")
    assert response.status_code == 429
    assert log_in(client, "edith", PASSWORD, code=current_code(totp)).status_code == 429


def test_a_session_without_the_code_cannot_replace_the_device(client, editor, totp):
    client.force_login(editor)  # as a stolen password would, had the login not asked
    assert client.get("/admin/two-factor/").status_code == 403
    assert client.post("/admin/two-factor/", {"action": "start"}).status_code == 403
    assert TOTPDevice.objects.get(user=editor) == totp


def test_an_editor_cannot_add_a_device_for_someone_else(client, editor, author):
    client.force_login(editor)
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403


def test_required_two_factor_sends_unenrolled_staff_to_enrolment(client, editor, settings):
    settings.BYLINE_REQUIRE_2FA = True
    assert log_in(client, "edith", PASSWORD).status_code == 302
    response = client.get("/admin/blog/post/", follow=True)
    assert response.redirect_chain[-1][0] == "/admin/two-factor/"
    assert "requires two-factor authentication" in response.text

    client.post("/admin/two-factor/", {"action": "start"})
    device = TOTPDevice.objects.get(user=editor)
    client.post("/admin/two-factor/", {"action": "confirm", "code": current_code(device)})
    assert client.get("/admin/blog/post/").status_code == 200


def test_required_two_factor_also_guards_the_editors_preview_and_upload(client, editor, settings):
    settings.BYLINE_REQUIRE_2FA = True
    assert log_in(client, "edith", PASSWORD).status_code == 302

    preview = client.post("/markdownx/markdownify/", {"content": "*hello*"})
    upload = client.post("/markdownx/upload/", {})

    assert preview.status_code == upload.status_code == 302
    assert "<em>" not in preview.text
    settings.BYLINE_REQUIRE_2FA = False
    assert "<em>hello</em>" in client.post("/markdownx/markdownify/", {"content": "*hello*"}).text


def test_two_factor_is_optional_by_default(client, editor):
    assert log_in(client, "edith", PASSWORD).status_code == 302
    assert client.get("/admin/blog/post/").status_code == 200


# Idle sessions


def test_a_session_ends_after_eight_idle_hours_and_activity_keeps_it(client, editor):
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert log_in(client, "edith", PASSWORD).status_code == 302
        clock.shift(timedelta(hours=7, minutes=50))
        assert is_logged_in(client)
        clock.shift(timedelta(hours=7, minutes=50))  # 15 h 40 min after logging in
        assert is_logged_in(client)
        clock.shift(timedelta(hours=8, minutes=1))
        assert not is_logged_in(client)


def test_the_idle_time_is_a_setting(client, editor, settings):
    settings.BYLINE_SESSION_IDLE_SECONDS = settings.SESSION_COOKIE_AGE = 600
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(editor)
        clock.shift(timedelta(minutes=9))
        assert is_logged_in(client)
        clock.shift(timedelta(minutes=11))
        assert not is_logged_in(client)


def test_the_login_page_asks_for_the_code_without_inline_scripts(client, db):
    page = client.get(LOGIN)
    assert "Two-factor code" in page.text
    assert inline_scripts(page.text) == []


def test_a_password_set_by_ensure_admin_logs_in(client, db, monkeypatch):
    monkeypatch.setenv("BYLINE_ADMIN_PASSWORD", "a-chosen-pass-phrase")
    call_command("ensure_admin", stdout=None)
    assert log_in(client, "admin", "a-chosen-pass-phrase").status_code == 302
    assert UserFactory._meta.model.objects.get(username="admin").is_superuser


# In a real browser, under a strict Content-Security-Policy


STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'"
)


@pytest.mark.browser
@requires_chromium
@pytest.mark.django_db(transaction=True)
def test_enrolment_and_login_with_a_code_work_in_a_browser_without_inline_script(
    live_server, page, editor
):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def with_strict_csp(route):
        # A request the page left behind by navigating on cannot be answered any more.
        with contextlib.suppress(PlaywrightError):
            response = route.fetch()
            headers = {**response.headers, "content-security-policy": STRICT_CSP}
            route.fulfill(response=response, headers=headers)

    page.route("**/*", with_strict_csp)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "edith")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.click("text=Two-factor authentication")
    page.click("button[value=start]")
    qr = page.locator(".two-factor svg.segno").bounding_box()
    assert qr["width"] >= 150 and qr["height"] >= 150
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "login-two-factor-enrolment.png", full_page=True)
    page.fill("#id_code", current_code(TOTPDevice.objects.get(user=editor)))
    page.click("button[value=confirm]")
    assert "Two-factor authentication is on" in page.text_content(".messagelist")

    page.click("#logout-form button")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "edith")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    assert "Enter the 6-digit code" in page.text_content(".errornote")
    with time_machine.travel(timedelta(seconds=30)):  # the next code: the last one was used
        page.fill("#id_password", PASSWORD)
        page.fill("#id_otp_token", current_code(TOTPDevice.objects.get(user=editor)))
        page.click("input[type=submit]")
        assert page.text_content("#user-tools").strip().startswith("Welcome")
    assert violations == []
