"""Cached pages are stored once gzipped and sent as they are to the clients that take gzip; the
local-memory cache holds as many as BYLINE_LOCAL_CACHE_ENTRIES says."""

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import PostFactory

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db

GZIP = {"accept-encoding": "gzip, deflate, br"}


@pytest.mark.parametrize("url", ["/posts/first/", "/", "/feed/"])
def test_clients_that_take_gzip_get_the_page_gzipped(client, url):
    PostFactory(slug="first", title="Squeezed but whole")
    plain = client.get(url)  # rendered and cached; this client asked for no encoding

    for _ in range(2):  # from the cache, then again from the cache
        response = client.get(url, headers=GZIP)
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert gzip.decompress(response.content) == plain.content
        assert len(response.content) < len(plain.content)
        assert response["ETag"] == plain["ETag"]


@pytest.mark.parametrize(
    "accept_encoding", [None, "identity", "br", "gzip;q=0, identity", "deflate"]
)
def test_clients_that_do_not_take_gzip_get_plain_bytes(client, accept_encoding):
    PostFactory(slug="first", title="Squeezed but whole")
    client.get("/posts/first/", headers=GZIP)  # cached, gzipped
    headers = {"accept-encoding": accept_encoding} if accept_encoding else {}

    response = client.get("/posts/first/", headers=headers)

    assert "Content-Encoding" not in response
    assert "Accept-Encoding" in response["Vary"]
    assert "Squeezed but whole" in response.content.decode()


def test_one_etag_revalidates_either_encoding(client):
    PostFactory(slug="first")
    etag = client.get("/posts/first/", headers=GZIP)["ETag"]

    assert etag.startswith('W/"')
    assert client.get("/posts/first/", headers={"if-none-match": etag}).status_code == 304
    revalidated = client.get("/posts/first/", headers={**GZIP, "if-none-match": etag})
    assert revalidated.status_code == 304


def test_a_gzipped_page_is_not_compressed_again_and_its_length_is_the_sent_bytes(client):
    PostFactory(slug="first")
    client.get("/posts/first/")

    response = client.get("/posts/first/", headers=GZIP)

    assert int(response["Content-Length"]) == len(response.content)
    assert gzip.decompress(response.content).startswith(b"<!doctype html>")


@pytest.mark.parametrize(("value", "entries"), [(None, 20000), ("50000", 50000)])
def test_the_local_memory_cache_holds_as_many_pages_as_the_setting_says(value, entries):
    env = {k: v for k, v in os.environ.items() if k not in ("BYLINE_LOCAL_CACHE_ENTRIES",)}
    env |= {"DEBUG": "1", "REDIS_URL": ""} | (
        {"BYLINE_LOCAL_CACHE_ENTRIES": value} if value else {}
    )
    code = "import config.settings as s; print(s.CACHES['default']['OPTIONS']['MAX_ENTRIES'])"

    child = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    assert int(child.stdout) == entries
