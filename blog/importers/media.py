"""Images of imported posts taken from a local folder (`--media-dir`, e.g. a copy of a WordPress
site's wp-content/uploads) or from the .zip an editor uploaded to the admin's import: each
image a post's body or featured image names that is found there becomes a library image
(through Image.objects.create_from_upload, so validated and re-encoded as every upload is),
once: a file already in the library by its content hash is reused, so importing again makes no
copies. The body then refers to it as `![alt](image:ID)`. Addresses not found there stay as
they are."""

import hashlib
import html
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

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


class MediaSource:
    """Where imported posts' images are looked up (a folder, or the .zip they came in),
    remembering what each address gave within one import."""

    def __init__(self):
        self.found = {}  # address → Image or None
        self.added = 0
        self.reused = 0
        self.problems = []

    def relative_paths(self, address):
        """The paths, relative to the source's root, an address may name there: the part
        after wp-content/uploads/, else the address's path itself; WordPress's original before
        its resized copy. None for what cannot be an image in it."""
        parts = urlsplit(address)
        if parts.scheme not in ("", "http", "https"):
            return []
        path = unquote(parts.path)
        if UPLOADS in path:
            path = path.split(UPLOADS, 1)[1]
        relative = PurePosixPath(path.lstrip("/"))
        if not relative.parts or ".." in relative.parts:
            return []
        if relative.suffix.lower() not in SUFFIXES:
            return []
        original = relative.with_name(_WP_SIZE.sub("", relative.name))
        return list(dict.fromkeys([original, relative]))

    def read(self, address):
        """(file name, bytes) of the image `address` names here, or None."""
        raise NotImplementedError

    def image_for(self, address, alt_text=""):
        """The library image for the file `address` names in the folder (made if no image
        has its content yet), or None when there is no such file or it is not an image."""
        if address in self.found:
            return self.found[address]
        from blog.models import Image

        image = None
        try:
            found = self.read(address)
        except (OSError, zipfile.BadZipFile, zlib.error, EOFError) as error:
            self.problems.append(f"{address}: cannot be read ({error})")
            found = None
        if found is not None:
            name, data = found
            digest = hashlib.sha256(data).hexdigest()
            image = Image.objects.filter(content_hash=digest).order_by("pk").first()
            if image is not None:
                self.reused += 1
            else:
                try:
                    image = Image.objects.create_from_upload(
                        ContentFile(data, name=PurePosixPath(name).name),
                        user=None,
                        alt_text=alt_text.strip()[:250],
                        content_hash=digest,
                    )
                    self.added += 1
                except ValidationError as refused:
                    self.problems.append(f"{name}: {' '.join(refused.messages)}")
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


class MediaFolder(MediaSource):
    """A folder on this machine (`--media-dir`)."""

    def __init__(self, root):
        super().__init__()
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ValueError(f"{root}: no such folder")

    def path_for(self, address):
        """The file under the folder an address names, or None; never one outside it."""
        for candidate in self.relative_paths(address):
            file = (self.root / candidate).resolve()
            if file.is_relative_to(self.root) and file.is_file():
                return file
        return None

    def read(self, address):
        file = self.path_for(address)
        if file is None:
            return None
        with file.open("rb") as opened:  # one byte over the limit is enough to refuse it
            return str(file), opened.read(settings.BYLINE_UPLOAD_MAX_BYTES + 1)


class ZipMedia(MediaSource):
    """The images in the .zip of Markdown files an editor uploaded to the admin's import."""

    def __init__(self, archive):
        super().__init__()
        self.archive, self.max_bytes = archive, settings.BYLINE_UPLOAD_MAX_BYTES
        self.members = {
            PurePosixPath(member.filename.lstrip("/")): member
            for member in archive.infolist()
            if not member.is_dir() and PurePosixPath(member.filename).suffix.lower() in SUFFIXES
        }

    def __bool__(self):
        return bool(self.members)

    def read(self, address):
        for candidate in self.relative_paths(address):
            member = self.members.get(candidate)
            if member is None:
                continue
            # One byte over the limit is enough for clean_image to refuse it, naming the limit.
            with self.archive.open(member) as source:
                return member.filename, source.read(self.max_bytes + 1)
        return None
