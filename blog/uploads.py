"""Uploaded files: images (one path for the Markdown editor's uploads, featured images and
avatars), files to import, and the view that serves media back when no media host does.

What is stored of an image is never the uploaded file: Pillow decodes it and writes the pixels
again, so a file that only claims to be an image (HTML or SVG with an image name or content
type) is refused and one that is an image and something else too (a GIF/HTML polyglot, EXIF
with a GPS position) keeps only its pixels. The type comes from the content, the name is
random, and byte and pixel limits are checked before anything is decoded (for an animation,
before each frame is). A file to import is kept as it came, under a random name, where nothing
serves it, until its import job ends.
"""

import os
import struct
import uuid
from io import BytesIO
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.views.static import serve
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

# Pillow format → stored extension. Pillow is only asked to open these, so no other decoder
# (EPS with Ghostscript, PSD, ...) ever sees an upload.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"]
KINDS = "JPEG, PNG, WebP or GIF"
# Larger stills are scaled down: readers' screens and the renditions need no more.
MAX_SIDE = 2400
MAX_FRAMES = 1000
# What survives re-encoding besides pixels; EXIF, XMP, comments and text chunks do not.
KEPT_INFO = {"icc_profile", "transparency"}
PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}
SAVE_OPTIONS = {"JPEG": {"quality": 85, "optimize": True}, "WEBP": {"quality": 85}}


class CleanImage(ContentFile):
    """An image `clean_image` wrote: re-encoded pixels under a random name."""


def clean_image(upload, max_side=MAX_SIDE):
    """The upload decoded, checked and re-encoded as a CleanImage no larger than `max_side`
    on either side, or a ValidationError naming the problem."""
    label = _label(upload)
    max_bytes = settings.BYLINE_UPLOAD_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            f"{label} is {filesizeformat(upload.size)}; an image may be at most "
            f"{filesizeformat(max_bytes)}.",
            code="file_too_big",
        )
    try:
        upload.seek(0)
        with Image.open(upload, formats=list(EXTENSIONS)) as image:
            _check_pixels(image, label)
            extension, data = _reencode(image, label, max_side)
    except UnidentifiedImageError:
        raise ValidationError(
            f"{label} is not a {KINDS} image (the content decides, not the name).",
            code="not_an_image",
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit (set in BlogConfig.ready) stopped it before its size was known.
        raise ValidationError(
            f"{label} has more pixels than an image may have: at most "
            f"{_megapixels(settings.BYLINE_UPLOAD_MAX_PIXELS)}.",
            code="too_many_pixels",
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
        # Pillow's ways of saying the data ends early or contradicts itself.
        raise ValidationError(
            f"{label} could not be read: the image is damaged or incomplete.",
            code="damaged_image",
        ) from None
    return CleanImage(data, name=f"{uuid.uuid4().hex}.{extension}")


def _label(upload):
    name = PurePosixPath(getattr(upload, "name", None) or "image").name
    return f"“{name if len(name) <= 60 else name[:57] + '…'}”"


def _megapixels(pixels):
    value = pixels / 1_000_000
    return f"{value:,.0f} megapixels" if value >= 100 else f"{value:.3g} megapixels"


def _check_pixels(image, label):
    """Refuse from the header alone: nothing is decoded yet."""
    limit = settings.BYLINE_UPLOAD_MAX_PIXELS
    width, height = image.size
    if width * height > limit:
        raise ValidationError(
            f"{label} is {width:,} × {height:,} pixels ({_megapixels(width * height)}); "
            f"an image may have at most {_megapixels(limit)}.",
            code="too_many_pixels",
        )


def _reencode(image, label, max_side):
    """(extension, bytes) of the image written again from its pixels alone."""
    if getattr(image, "is_animated", False):
        return "webp", _reencode_animation(image, label, max_side)
    fmt = image.format
    # A large JPEG is decoded at 1/2, 1/4 or 1/8 scale straight away: far less memory.
    image.draft(image.mode, (max_side, max_side))
    image.thumbnail((max_side, max_side))
    ImageOps.exif_transpose(image, in_place=True)  # upright, since the tag will be gone
    buffer = BytesIO()
    _pixels_only(image, fmt).save(buffer, fmt, **SAVE_OPTIONS.get(fmt, {}))
    return EXTENSIONS[fmt], buffer.getvalue()


def _reencode_animation(image, label, max_side):
    """Every frame, as animated WebP: writing a GIF again costs ten times as long."""
    # Frames are counted while decoding, each frame costing at most one canvas: counting
    # them first (Image.n_frames) reads the whole file, seconds for one of tiny frames.
    limit = settings.BYLINE_UPLOAD_MAX_PIXELS
    image_size = image.size
    frames, durations, pixels = [], [], 0
    for count, frame in enumerate(ImageSequence.Iterator(image), start=1):
        if count > MAX_FRAMES:
            raise ValidationError(
                f"{label} has more than {MAX_FRAMES:,} frames; an animation may have at most "
                f"{MAX_FRAMES:,}.",
                code="too_many_frames",
            )
        # The size is read before the frame is decoded; a GIF frame may enlarge the canvas.
        _check_pixels(frame, label)
        width, height = frame.size
        pixels += width * height
        if pixels > limit:
            raise ValidationError(
                f"{label} is an animation of {width:,} × {height:,} pixels a frame with more "
                f"than {limit // (width * height):,} frames; an animation may have at most "
                f"{_megapixels(limit)} in all its frames together.",
                code="too_many_pixels",
            )
        durations.append(frame.info.get("duration", 100))
        # Browsers show a GIF within its first frame's canvas, and WebP wants frames alike.
        pixels_only = _pixels_only(frame.crop((0, 0, *image_size)), "WEBP")
        pixels_only.thumbnail((max_side, max_side))
        frames.append(pixels_only)
    buffer = BytesIO()
    frames[0].save(
        buffer,
        "WEBP",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=image.info.get("loop", 0),
        **SAVE_OPTIONS["WEBP"],
    )
    return buffer.getvalue()


def _pixels_only(image, fmt):
    image.info = {key: value for key, value in image.info.items() if key in KEPT_INFO}
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if fmt == "JPEG" and image.mode not in ("L", "RGB"):
        return image.convert("RGB")  # CMYK photos
    if fmt == "WEBP" and image.mode not in ("RGB", "RGBA"):
        return image.convert("RGBA" if has_alpha else "RGB")
    if fmt == "PNG" and image.mode not in PNG_MODES:
        return image.convert("RGBA" if has_alpha else "RGB")
    return image


# Model and form fields -------------------------------------------------------------------------


class UploadedImageFormField(forms.FileField):
    """A form's image upload: cleans to a CleanImage, with the reason in the form when refused."""

    def __init__(self, *, max_side=MAX_SIDE, **kwargs):
        kwargs.pop("max_length", None)  # the uploaded name is not kept, so its length is moot
        self.max_side = max_side
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        return None if upload is None else clean_image(upload, self.max_side)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = ",".join(CONTENT_TYPES)
        return attrs


class UploadedImageFieldFile(ImageFieldFile):
    def save(self, name, content, save=True):
        # Forms hand over a CleanImage already; anything else (code, fixtures) is cleaned here,
        # so no path stores uploaded bytes.
        if not isinstance(content, CleanImage):
            content = clean_image(content, self.field.max_side)
        super().save(content.name, content, save)


class UploadedImageField(models.ImageField):
    """An ImageField whose files always went through `clean_image`, scaled to fit `max_side`."""

    attr_class = UploadedImageFieldFile

    def __init__(self, *args, max_side=MAX_SIDE, **kwargs):
        self.max_side = max_side
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.max_side != MAX_SIDE:
            kwargs["max_side"] = self.max_side
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": UploadedImageFormField, "max_side": self.max_side, **kwargs}
        )


# Files to import ---------------------------------------------------------------------------

# A WordPress export of a large site, or a .zip of a few thousand Markdown files.
IMPORT_MAX_BYTES = 50 * 1024 * 1024
IMPORT_SUFFIXES = {".md", ".markdown", ".mdown", ".txt", ".zip", ".xml"}


def clean_import_file(upload):
    """The upload, if it may be imported (see blog.importers.uploaded), or a ValidationError
    naming the problem. Its content is the importer's to judge, file by file."""
    if upload.size > IMPORT_MAX_BYTES:
        raise ValidationError(
            f"The file is {upload.size:,} bytes; the limit is {IMPORT_MAX_BYTES:,}.",
            code="file_too_big",
        )
    if PurePosixPath(upload.name).suffix.lower() not in IMPORT_SUFFIXES:
        raise ValidationError(
            f"“{upload.name}” is not a .md, .zip or .xml file, so there is nothing to import.",
            code="not_importable",
        )
    return upload


class ImportFileStorage(FileSystemStorage):
    """Files waiting for an import job: under BYLINE_IMPORT_ROOT, outside MEDIA_ROOT, with no
    URL, so nothing serves them (they may hold unpublished drafts). The default for
    STORAGES["imports"]; sites whose workers run on other machines point that alias at a
    private bucket they share."""

    def __init__(self, **kwargs):
        super().__init__(**{"base_url": None, **kwargs})

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.BYLINE_IMPORT_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Files to import have no URL.")


def import_storage():
    return storages["imports"]


def import_file_name(job, filename):
    """A name of our own: the uploaded one is only shown (ImportJob.file_name)."""
    return f"{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


# Serving media -----------------------------------------------------------------------------

# A media file is never a page of this site: no sniffing a type the server did not send, and
# a sandbox (a unique origin, no script) for anything a browser would render as a document.
MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
}


def serve_media(request, path):
    """MEDIA_ROOT, for sites without a media host (BYLINE_SERVE_MEDIA)."""
    if not settings.BYLINE_SERVE_MEDIA:
        raise Http404("Media are not served by the application.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    for header, value in MEDIA_HEADERS.items():
        response.headers[header] = value
    if response.status_code == 200 and response["Content-Type"] not in CONTENT_TYPES:
        # Files from before every upload was an image (or put there by hand) are downloads.
        response.headers["Content-Disposition"] = "attachment"
    return response
