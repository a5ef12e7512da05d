"""Cached pages are stored once compressed with brotli and gzip and sent as they are, in the best
coding each client takes; the local-memory cache holds as many as BYLINE_LOCAL_CACHE_ENTRIES
says."""

import gzip
import os
import subprocess
import sys
from pathlib import Path

import brotli
import pytest

from blog import page_encoding
from tests.factories import PostFactory

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db

BROWSER = {"accept-encoding": "gzip, deflate, br, zstd"}


def decoded(response):
    coding = response.get("Content-Encoding")
    if coding == "br":
        return brotli.decompress(response.content)
    if coding == "gzip":
        return gzip.decompress(response.content)
    assert coding is None
    return response.content


@pytest.mark.parametrize("url", ["/posts/first/", "/", "/feed/"])
def test_browsers_get_the_page_brotli_compressed(client, url):
    PostFactory(slug="first", title="Squeezed but whole")
    plain = client.get(url)  # rendered and cached; this client asked for no coding

    for _ in range(2):  # from the cache, then again from the cache
        response = client.get(url, headers=BROWSER)
        assert response["Content-Encoding"] == "br"
        assert "Accept-Encoding" in response["Vary"]
        assert brotli.decompress(response.content) == plain.content
        assert len(response.content) < len(plain.content)
        assert response["ETag"] == plain["ETag"]


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [
        ("gzip", "gzip"),
        ("gzip, deflate", "gzip"),
        ("br", "br"),
        ("BR, GZIP", "br"),
        ("br;q=0.5, gzip", "gzip"),
        ("gzip;q=0.2, br;q=0.8", "br"),
        ("*", "br"),
        ("br;q=0, *", "gzip"),
        ("gzip;q=1.0, br;q=0", "gzip"),
        (None, None),
        ("", None),
        ("identity", None),
        ("deflate", None),
        ("gzip;q=0, identity", None),
        ("identity, gzip;q=0.5", None),
        ("*;q=0", None),  # refuses everything: readable beats a 406
        ("gzip;q=nonsense", None),
    ],
)
def test_each_client_gets_the_best_coding_it_takes(client, accept_encoding, coding):
    PostFactory(slug="first", title="Squeezed but whole")
    plain = client.get("/posts/first/")
    headers = {"accept-encoding": accept_encoding} if accept_encoding is not None else {}

    response = client.get("/posts/first/", headers=headers)

    assert response.get("Content-Encoding") == coding
    assert "Accept-Encoding" in response["Vary"]
    assert decoded(response) == plain.content
    assert response["ETag"] == plain["ETag"]


def test_a_page_is_compressed_once_in_each_coding_not_per_request(client, monkeypatch):
    PostFactory(slug="first")
    compressions = []
    for module in (page_encoding.brotli, page_encoding.gzip):
        compress = module.compress
        monkeypatch.setattr(
            module,
            "compress",
            lambda *args, compress=compress, name=module.__name__, **kwargs: (
                compressions.append(name) or compress(*args, **kwargs)
            ),
        )

    for accept_encoding in ["br", "gzip", "identity", "br", "gzip", "gzip, br", "gzip"]:
        response = client.get("/posts/first/", headers={"accept-encoding": accept_encoding})
        assert response.status_code == 200

    assert sorted(compressions) == ["brotli", "gzip"]


def test_the_gzip_body_made_for_one_client_is_kept_in_redis_for_the_next(client, redis_cache):
    PostFactory(slug="first", title="Squeezed but whole")
    plain = client.get("/posts/first/", headers={"accept-encoding": "br"})  # cached: brotli

    for _ in range(2):  # gzipped and stored back, then from the cache as it is
        response = client.get("/posts/first/", headers={"accept-encoding": "gzip"})
        assert response["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.content) == brotli.decompress(plain.content)
    assert client.get("/posts/first/", headers=BROWSER)["Content-Encoding"] == "br"


def test_one_etag_revalidates_every_coding(client):
    PostFactory(slug="first")
    etag = client.get("/posts/first/", headers=BROWSER)["ETag"]

    assert etag.startswith('W/"')
    for accept_encoding in ["br", "gzip", "identity"]:
        revalidated = client.get(
            "/posts/first/", headers={"accept-encoding": accept_encoding, "if-none-match": etag}
        )
        assert revalidated.status_code == 304
        assert revalidated["ETag"] == etag
        assert "Accept-Encoding" in revalidated["Vary"]


@pytest.mark.parametrize("accept_encoding", ["br", "gzip"])
def test_a_compressed_page_is_not_compressed_again_and_its_length_is_the_sent_bytes(
    client, accept_encoding
):
    PostFactory(slug="first")
    client.get("/posts/first/")

    response = client.get("/posts/first/", headers={"accept-encoding": accept_encoding})

    assert int(response["Content-Length"]) == len(response.content)
    assert decoded(response).startswith(b"<!doctype html>")


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
