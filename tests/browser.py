"""Shared set-up for browser tests: Debian's Chromium driven by Playwright, and axe-core."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BYLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("BYLINE_SCREENSHOTS", "var/screenshots"))

# CI installs every tool, so there a missing one fails the test instead of skipping it.
requires_chromium = pytest.mark.skipif(
    not shutil.which(CHROMIUM) and not os.environ.get("CI"),
    reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)",
)


def log_in(browser, live_server, user):
    """A new browser window with `user` logged in to the admin (the factories' password)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def serious_violations(page):
    """axe-core's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]


# Runs before any script of the page, whatever its Content-Security-Policy: Playwright's init
# scripts and bindings are exempt from it, the page's own code is not.
_WATCH_SCRIPT = """
window.addEventListener("securitypolicyviolation", (event) => {
  window.__bylineViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} on ${event.documentURI}` +
    ` (${event.sourceFile}:${event.lineNumber}) ${event.sample}`
  );
});
"""


class PolicyWatch:
    """Every Content-Security-Policy violation, console error and uncaught exception on every
    page of a browser context, popups included."""

    def __init__(self, context, ignore_urls=()):
        self.violations = []
        self.errors = []
        self.ignore_urls = tuple(ignore_urls)
        context.expose_function("__bylineViolation", self._violation)
        context.add_init_script(_WATCH_SCRIPT)
        context.on("page", self.watch)
        for page in context.pages:
            self.watch(page)

    def _violation(self, text):
        self.violations.append(text)

    def watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))

    def _console(self, message):
        url = message.location.get("url", "")
        if message.type == "error" and not url.startswith(self.ignore_urls):
            self.errors.append(f"{url}: {message.text}")
