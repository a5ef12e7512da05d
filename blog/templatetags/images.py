"""Library images in templates: a post's featured image as a responsive <picture>."""

from django import template

from blog.figures import picture_markup

register = template.Library()


@register.simple_tag
def featured_picture(
    post, crop="", sizes="(min-width: 46rem) 42rem, 100vw", lazy=False, css_class=""
):
    """The featured image of `post` (loaded with it: see PostQuerySet.for_post_page): at the
    top of its page not lazy, since it is the first thing a reader sees; `lazy` in a card
    (blog/fragments.py makes the first card on a page eager)."""
    if post.featured_image_id is None:
        return ""
    return picture_markup(
        post.featured_image,
        alt=post.featured_alt(),
        loading="lazy" if lazy else "eager",
        sizes=sizes,
        crop=crop,
        css_class=css_class,
    )
