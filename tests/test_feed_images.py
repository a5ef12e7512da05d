"""Library images in feeds: one <img> per image, of a rendition about 960 pixels wide, at an
absolute address, with its size and alt text: no <picture> or srcset, which feed readers drop."""

import re

import feedparser
import pytest

from blog.feeds import feed_images
from blog.models import Image
from tests.factories import PostFactory
from tests.helpers import image_bytes, upload

pytestmark = pytest.mark.django_db


def library_image(size, alt_text="Boats at anchor"):
    return Image.objects.create_from_upload(
        upload("boats.jpg", image_bytes("JPEG", size), "image/jpeg"), user=None, alt_text=alt_text
    )


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feed_items_carry_an_absolute_960_pixel_rendition(client, url):
    image = library_image((2000, 1500))
    PostFactory(body=f"Before.\n\n![](image:{image.pk})\n\nAfter.")

    content = feedparser.parse(client.get(url).content).entries[0].content[0].value

    rendition = image.rendition(960)
    assert rendition["width"] == 960
    address = f"http://testserver{image.file.storage.url(rendition['name'])}"
    (img,) = re.findall(r"<img [^>]*>", content)
    assert dict(re.findall(r'(\w+)="([^"]*)"', img)) == {
        "src": address,
        "width": "960",
        "height": "720",
        "alt": "Boats at anchor",
    }
    assert "srcset" not in content
    assert "<picture" not in content
    assert re.search(r'src="/', content) is None  # nothing left root-relative


def test_an_image_narrower_than_960_pixels_is_given_at_its_own_width():
    image = library_image((500, 400))
    post = PostFactory(body=f"![A small chart](image:{image.pk})")

    (img,) = re.findall(r"<img [^>]*>", feed_images(post.body_html))

    assert 'width="500" height="400"' in img
    assert 'alt="A small chart"' in img
    assert image.file.storage.url(image.rendition(960)["name"]) in img


def test_text_without_pictures_is_left_alone():
    text = '<p>Words and <img src="https://example.org/a.png" alt="x"> as they were.</p>'

    assert feed_images(text) == text
