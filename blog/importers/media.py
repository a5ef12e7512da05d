"""Images of imported posts taken from a local folder (`--media-dir`, e.g. a copy of a WordPress
site's wp-content/uploads): each image a post's body or featured image names that is found
there becomes a library image (through Image.objects.create_from_upload, so validated and
re-encoded as every upload is), once: a file already in the library by its content hash is
reused, so importing again makes no copies. The body then refers to it as `![alt](image:ID)`.
Addresses not found in the folder stay as they are."""

import hashlib
import html
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File

# `![alt](address)` or `![alt](address "title")`, the address without spaces or in <…>.
_MARKDOWN_IMAGE = re.compile(
    r'!\[(?P<alt>[^\]\n]*)\]\(\s*<?(?P<url>[^)\s>]+)>?(?:\s+"(?P<title>[^"\n]*)")?\s*\)'
)
# An HTML <img> left in a body (raw HTML in Markdown, or WordPress HTML).
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_HTML_ATTRIBUTE = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# WordPress's resized copies ("photo-300x200.jpg"); the original is taken where it exists.
_WP_SIZE = re.compile(r"-\d{1,5}x\d{1,5}(?=\.[A-Za-z0-9]+$)")
UPLOADS = "wp-content/uploads/"
SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}


class MediaFolder:
    """A folder that imported posts' images are looked up in, remembering what each address
    gave within one import."""

    def __init__(self, root):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ValueError(f"{root}: no such folder")
        self.found = {}  # address → Image or None
        self.added = 0
        self.reused = 0
        self.problems = []

    def path_for(self, address):
        """The file under the folder an address names, or None: the part after
        wp-content/uploads/, else the address's path itself, relative to the folder. Never a
        file outside it."""
        parts = urlsplit(address)
        if parts.scheme not in ("", "http", "https"):
            return None
        path = unquote(parts.path)
        if UPLOADS in path:
            path = path.split(UPLOADS, 1)[1]
        relative = PurePosixPath(path.lstrip("/"))
        if not relative.parts or ".." in relative.parts:
            return None
        if relative.suffix.lower() not in SUFFIXES:
            return None
        original = relative.with_name(_WP_SIZE.sub("", relative.name))
        for candidate in dict.fromkeys([original, relative]):
            file = (self.root / candidate).resolve()
            if file.is_relative_to(self.root) and file.is_file():
                return file
        return None

    def image_for(self, address, alt_text=""):
        """The library image for the file `address` names in the folder (made if no image
        has its content yet), or None when there is no such file or it is not an image."""
        if address in self.found:
            return self.found[address]
        from blog.models import Image

        image = None
        file = self.path_for(address)
        if file is not None:
            data = file.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            image = Image.objects.filter(content_hash=digest).order_by("pk").first()
            if image is not None:
                self.reused += 1
            else:
                try:
                    with file.open("rb") as opened:
                        image = Image.objects.create_from_upload(
                            File(opened, name=file.name),
                            user=None,
                            alt_text=alt_text.strip()[:250],
                            content_hash=digest,
                        )
                    self.added += 1
                except ValidationError as refused:
                    self.problems.append(f"{file}: {' '.join(refused.messages)}")
        self.found[address] = image
        return image

    def apply(self, item):
        """Rewrite `item`'s body to library references and give it its featured image (the
        ImportedPost's `featured_image_id`), for the images found in the folder."""
        item.body = self.rewrite(item.body)
        if item.featured_image:
            image = self.image_for(item.featured_image, item.featured_image_alt)
            if image is not None:
                item.featured_image_id = image.pk
        return item

    def rewrite(self, body):
        def markdown(match):
            image = self.image_for(match["url"], match["alt"])
            if image is None:
                return match[0]
            title = f' "{match["title"]}"' if match["title"] else ""
            return f"![{match['alt']}](image:{image.pk}{title})"

        def tag(match):
            attributes = {
                name.lower(): html.unescape(double or single)
                for name, double, single in _HTML_ATTRIBUTE.findall(match[0])
            }
            alt = re.sub(r"[\[\]\n]", " ", attributes.get("alt", "")).strip()
            image = self.image_for(attributes.get("src", ""), alt)
            return match[0] if image is None else f"![{alt}](image:{image.pk})"

        return _HTML_IMAGE.sub(tag, _MARKDOWN_IMAGE.sub(markdown, body))

    def summary(self):
        return (
            f"Images from the media folder: {self.added} added to the library, "
            f"{self.reused} already there."
        )
