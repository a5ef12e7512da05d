"""Featured-image renditions: smaller WebP copies for `srcset`, made when the image changes."""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

RENDITION_WIDTHS = (480, 960, 1440)


def make_renditions(field_file):
    """Write WebP copies narrower than the original; return [{"width", "height", "name"}]."""
    storage = field_file.storage
    with field_file.open("rb") as source:
        image = ImageOps.exif_transpose(Image.open(source))
        image.load()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    stem = PurePosixPath(field_file.name).with_suffix("")
    renditions = []
    for width in RENDITION_WIDTHS:
        if width >= image.width:
            break
        height = round(image.height * width / image.width)
        buffer = BytesIO()
        image.resize((width, height), Image.Resampling.LANCZOS).save(buffer, "WEBP", quality=80)
        name = storage.save(f"{stem}-{width}w.webp", ContentFile(buffer.getvalue()))
        renditions.append({"width": width, "height": height, "name": name})
    return renditions
