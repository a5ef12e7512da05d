"""Library images in rendered Markdown: `![alt](image:42 "caption")` becomes a figure with
AVIF and WebP renditions in `srcset`, width and height (no layout shift), lazy loading after
the first, and a caption with the credit.

It works on HTML the sanitiser wrote (blog/rendering.py keeps `image:<id>` as an image source
and nothing else), and writes only markup of its own with every value escaped. A reference to
an image that does not exist renders nothing for readers, and a visible note in the editor's
preview.
"""

import html
import re

from django.utils.html import format_html

from blog.images import SIZES

# nh3 writes attributes as name="value", `"` escaped: an image reference, alone in its
# paragraph (a figure) or within text (an image).
_REFERENCE = r'<img((?:\s+[a-z-]+="[^"]*")*?\s+src="image:(\d{1,12})"(?:\s+[a-z-]+="[^"]*")*)\s*/?>'
_FIGURE = re.compile(rf"<p>\s*{_REFERENCE}\s*</p>")
_INLINE = re.compile(_REFERENCE)
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def referenced_ids(rendered_html):
    return {int(found) for found in re.findall(r'src="image:(\d{1,12})"', rendered_html)}


def figures(rendered_html, *, preview=False):
    """Sanitised HTML with its image references replaced by their markup (one query, none
    when there are no references)."""
    ids = referenced_ids(rendered_html)
    if not ids:
        return rendered_html
    from blog.models.media import Image

    images = Image.objects.in_bulk(ids)
    first = [True]

    def replace(match, block):
        attributes = {k: html.unescape(v) for k, v in _ATTRIBUTE.findall(match[1])}
        image = images.get(int(match[2]))
        if image is None:
            if not preview:
                return ""
            note = format_html(
                '<span class="figure-missing" role="note">Missing image {}: it is not in the '
                "library (deleted?). Readers see nothing here.</span>",
                match[2],
            )
            return format_html("<p>{}</p>", note) if block else note
        loading = "eager" if first[0] else "lazy"
        first[0] = False
        alt = attributes.get("alt") or image.alt_text
        caption = attributes.get("title") or image.caption
        picture = picture_markup(image, alt=alt, loading=loading)
        if not block:
            return picture
        return format_html(
            '<figure class="figure">{}{}</figure>', picture, figcaption(caption, image.credit)
        )

    rendered_html = _FIGURE.sub(lambda m: replace(m, True), rendered_html)
    return _INLINE.sub(lambda m: replace(m, False), rendered_html)


def figcaption(caption, credit):
    if not (caption or credit):
        return ""
    credit_html = format_html('<span class="figure__credit">{}</span>', credit) if credit else ""
    space = " " if caption and credit else ""
    return format_html("<figcaption>{}{}{}</figcaption>", caption, space, credit_html)


def picture_markup(image, *, alt, loading="lazy", sizes=SIZES, crop="", css_class=""):
    """<picture>: an AVIF <source>, and an <img> with WebP `srcset` (browsers without AVIF)
    and the original or the crop as `src` (browsers without `srcset`)."""
    avif = image.srcset("avif", crop)
    source = format_html('<source type="image/avif" srcset="{}" sizes="{}">', avif, sizes)
    if crop and (widest := image.rendition(10**6, "webp", crop)):
        src = image.file.storage.url(widest["name"])
        width, height = widest["width"], widest["height"]
    else:
        src, width, height = image.url, image.width, image.height
    webp = image.srcset("webp", crop)
    candidates = format_html(' srcset="{}" sizes="{}"', webp, sizes) if webp else ""
    return format_html(
        '<picture>{}<img{} src="{}"{} width="{}" height="{}" alt="{}" loading="{}" '
        'decoding="async"></picture>',
        source if avif else "",
        format_html(' class="{}"', css_class) if css_class else "",
        src,
        candidates,
        width,
        height,
        alt,
        loading,
    )
