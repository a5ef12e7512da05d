"""Renditions of library images: AVIF and WebP copies at a few widths for `srcset`, and a 16:9
card crop around the focal point for lists and feeds. Made when an image is created, its file
replaced or its focal point moved (blog/models/media.py), never per request.
"""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

WIDTHS = (320, 640, 960, 1440, 2048)
CARD_WIDTHS = (320, 640, 960)
CARD_RATIO = 16 / 9
# AVIF first: a browser takes the first <source> it can show.
FORMATS = ("avif", "webp")
CONTENT_TYPES = {"avif": "image/avif", "webp": "image/webp"}
SAVE_OPTIONS = {"avif": {"quality": 60, "speed": 8}, "webp": {"quality": 80, "method": 4}}
# How wide a body image is shown: the text column, or the screen on a phone.
SIZES = "(min-width: 46rem) 42rem, 100vw"


def widths_for(original_width, widths=WIDTHS):
    """The widths to make for an image this wide: those narrower, and its own."""
    return [w for w in widths if w < original_width] + [original_width]


def crop_box(width, height, ratio, focal_x, focal_y):
    """The largest box of `ratio` (width / height) inside width × height, centred on the
    focal point (fractions across and down) as far as the edges allow: (left, top, right,
    bottom)."""
    if width / height > ratio:
        box_w, box_h = round(height * ratio), height
    else:
        box_w, box_h = width, round(width / ratio)
    left = min(max(round(focal_x * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal_y * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def make_renditions(image):
    """Write the renditions of `image` (a blog.models.Image whose file is stored) and return
    [{"width", "height", "format", "name", "crop"}] ("crop": "" whole, "card" 16:9)."""
    field_file = image.file
    storage = field_file.storage
    with field_file.open("rb") as source:
        with Image.open(source) as opened:
            if getattr(opened, "is_animated", False):
                # Stills of an animation would stop it: readers get the animation itself.
                return []
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    if picture.mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
    # Names carry the focal point's crop, so a moved point never reuses a cached file.
    stem = PurePosixPath(field_file.name).with_suffix("")
    focus = f"{round(image.focal_x * 100)}x{round(image.focal_y * 100)}"
    left, top, right, bottom = crop_box(*picture.size, CARD_RATIO, image.focal_x, image.focal_y)
    card = picture.crop((left, top, right, bottom))
    jobs = [(picture, "", w, f"{stem}-{w}w") for w in widths_for(picture.width)]
    jobs += [
        (card, "card", w, f"{stem}-card-{focus}-{w}w") for w in widths_for(card.width, CARD_WIDTHS)
    ]
    renditions = []
    for source_picture, crop, width, name in jobs:
        height = max(1, round(source_picture.height * width / source_picture.width))
        resized = (
            source_picture
            if width == source_picture.width
            else source_picture.resize((width, height), Image.Resampling.LANCZOS)
        )
        for image_format in FORMATS:
            buffer = BytesIO()
            resized.save(buffer, image_format.upper(), **SAVE_OPTIONS[image_format])
            stored = storage.save(f"{name}.{image_format}", ContentFile(buffer.getvalue()))
            renditions.append(
                {
                    "width": width,
                    "height": height,
                    "format": image_format,
                    "name": stored,
                    "crop": crop,
                }
            )
    return renditions


def srcset_of(image, image_format="webp", crop=""):
    storage = image.file.storage
    return ", ".join(
        f"{storage.url(r['name'])} {r['width']}w"
        for r in sorted(image.renditions, key=lambda r: r["width"])
        if r["format"] == image_format and r.get("crop", "") == crop
    )


def delete_renditions(storage, names):
    for name in names:
        storage.delete(name)
