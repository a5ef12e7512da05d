"""Where media go: files under MEDIA_ROOT by default, an S3-compatible bucket when the
environment names one; originals and renditions alike through STORAGES["default"]."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import InMemoryStorage, storages

from blog.models import Image
from tests.factories import ImageFactory

SHOW_STORAGE = [
    "-c",
    "import json, django; django.setup(); "
    "from django.conf import settings; from django.core.files.storage import default_storage; "
    "storage = default_storage._setup() or default_storage._wrapped; "
    "options = settings.STORAGES['default'].get('OPTIONS', {}); "
    "print(json.dumps({'class': type(storage).__module__ + '.' + type(storage).__name__, "
    "'bucket': getattr(storage, 'bucket_name', None), "
    "'endpoint': getattr(storage, 'endpoint_url', None), "
    "'domain': getattr(storage, 'custom_domain', None), "
    "'signed': getattr(storage, 'querystring_auth', None), "
    "'cache': options.get('object_parameters', {}).get('CacheControl'), "
    "'url': storage.url('images/2026/12/a.webp')}))",
]


ROOT = Path(__file__).resolve().parent.parent


def storage_in(**env):
    """The default storage a fresh interpreter builds from the environment `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BYLINE_S3", "AWS_"))}
    env = clean | {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"} | env
    result = subprocess.run(
        [sys.executable, *SHOW_STORAGE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_media_are_local_files_by_default():
    storage = storage_in(MEDIA_URL="/media/")

    assert storage["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert storage["url"] == "/media/images/2026/12/a.webp"


def test_a_bucket_in_the_environment_puts_media_in_object_storage():
    storage = storage_in(
        BYLINE_S3_BUCKET="byline-media",
        BYLINE_S3_ENDPOINT_URL="https://s3.example.net",
        BYLINE_S3_CUSTOM_DOMAIN="media.example.org",
        AWS_ACCESS_KEY_ID="test-key",
        AWS_SECRET_ACCESS_KEY="test-secret",
    )

    assert storage["class"] == "storages.backends.s3.S3Storage"
    assert storage["bucket"] == "byline-media" and storage["endpoint"] == "https://s3.example.net"
    assert storage["signed"] is False
    assert storage["url"] == "https://media.example.org/images/2026/12/a.webp"
    assert storage["cache"] == "public, max-age=31536000, immutable"


@pytest.mark.django_db
def test_originals_and_renditions_all_go_to_the_configured_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }

    image = Image.objects.get(pk=ImageFactory().pk)

    assert isinstance(storages["default"], InMemoryStorage)
    names = [image.file.name, *(r["name"] for r in image.renditions)]
    assert len(names) > 2 and all(storages["default"].exists(name) for name in names)
    assert not any(p.is_file() for p in Path(settings.MEDIA_ROOT).rglob("*"))
