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


def serious_violations(page):
    """axe-core's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in {"serious", "critical"}
    ]
