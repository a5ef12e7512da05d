"""Cached pages are stored once gzipped and sent as they are to the clients that take gzip."""

import gzip

import pytest

from tests.factories import PostFactory

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
