"""Every kind of public page is valid HTML5, as the W3C Nu HTML Checker sees it."""

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import (
    FullPostFactory,
    ImageFactory,
    PageFactory,
    PostFactory,
    TopicFactory,
    UserFactory,
)

VNU_JAR = Path(__file__).resolve().parent.parent / "node_modules/vnu-jar/build/dist/vnu.jar"

# CI installs both, so there a missing one fails the test instead of skipping it.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (shutil.which("java") and VNU_JAR.exists()) and not os.environ.get("CI"),
        reason="the Nu HTML Checker needs Java and `npm install` (make test does it)",
    ),
]


def test_public_pages_pass_the_nu_html_checker(client, tmp_path):
    writer = UserFactory(slug="writer", bio="Writes about **soil**.", website="https://w.example")
    picture = ImageFactory(caption="A caption", credit="A credit")
    FullPostFactory(
        featured_image=picture,
        slug="rich",
        authors=[writer, UserFactory()],
        tags=["soil"],
        topics=[TopicFactory(slug="garden")],
        body="## Part one\n\n" + "Words and more words. " * 120 + "\n\n## Part two\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```python\nprint('hi')\n```\n\nNote[^1]\n\n"
        "## Part three\n\n[offer](https://amzn.to/x) <b onclick=x>raw</b>\n\n[^1]: A footnote."
        f'\n\n![A figure](image:{picture.pk} "Its caption")\n\nInline ![icon](image:{picture.pk}).'
        "\n\n![gone](image:987654)",
        publish_at=timezone.now() - timedelta(hours=1),
        faqs=[{"answer": "An *answer*."}],
        references=1,
    )
    PostFactory(tags=["soil"], authors=[writer])
    PageFactory(
        slug="about",
        body="## Who we are\n\n" + "Plain words about us. " * 150 + "\n\n## What we do\n\n"
        "A [partner offer](https://amzn.to/y).\n\n## How to reach us\n\nBy email.",
    )
    year = timezone.now().year
    urls = [
        "/",
        "/posts/rich/",
        "/about/",
        "/tags/soil/",
        "/topics/garden/",
        "/authors/writer/",
        f"/archive/{year}/",
        f"/archive/{year}/{timezone.now().month:02d}/",
        "/search/?q=words",
        "/search/?q=%21%21",
        "/search/",
        "/posts/missing/",
        "/subscribe/",
        "/subscribe/tags/",
    ]
    files = []
    for number, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        files.append(tmp_path / f"{number}.html")
        files[-1].write_bytes(response.content)
    assert b'<figure class="figure"><picture><source type="image/avif"' in files[1].read_bytes()

    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )

    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    problems = [
        f"{urls[int(Path(m['url']).stem)]}: {m['message']} ({m.get('extract', '')!r})"
        for m in messages
    ]
    assert problems == []
