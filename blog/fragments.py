"""What pages show of a post, rendered when the post or one of its parts changes and stored on
the post: its card (a post in a list), and the top and the end of its page (title and byline;
FAQs, references, tags and author cards). A list page joins twenty stored cards instead of
rendering twenty, and a post page renders little more than the site's frame around its body:
rendering those was most of an uncached page's time.

A stored fragment is used only while it is what the current templates would render: each post
stores `fragments_version()`, a fingerprint of the fragments' templates and of the settings
their text depends on. Fragments from other templates (a deploy that changed them, or a site
that overrides them) are rendered from the post instead, so a page is never wrong, only slower,
until `manage.py rebuild_stored_blocks` stores them again.

Fragments show the post's row and its stored blocks, so every write of those stores them again:
Post.store_derived() (a save, the bulk writers), HistoryBatch (save_with_history), and
store_parts() (a part, a tag, a topic or an author changed).
"""

import functools
import hashlib
import logging
import re

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.template.loader import get_template, render_to_string
from django.utils.formats import get_format
from django.utils.safestring import mark_safe

from blog.rows import update_rows

# Each fragment: its template, and the field it is stored in.
FRAGMENTS = {
    "card": ("includes/post_card.html", "card_html"),
    "header": ("includes/post_header.html", "header_html"),
    "footer": ("includes/post_footer.html", "footer_html"),
}
# Every template a fragment renders, for the fingerprint.
TEMPLATES = (
    *(template for template, _ in FRAGMENTS.values()),
    "includes/byline.html",
    "includes/post_image.html",
    "includes/tag_list.html",
    "includes/reference.html",
)
# What a card shows of its post: the row's columns and the stored blocks.
# What a card and a post page show of the featured image: joined, no query of its own (a
# queryset loading CARD_FIELDS selects `featured_image` with them).
FEATURED_IMAGE_FIELDS = ("file", "width", "height", "alt_text", "renditions")
CARD_FIELDS = (
    "kind",  # which address it has (get_absolute_url)
    "title",
    "slug",
    "description",
    "excerpt",
    "status",
    "publish_at",
    "reading_time",
    "featured_image",
    "featured_image_alt",
    *(f"featured_image__{name}" for name in FEATURED_IMAGE_FIELDS),
    "stored_authors",
    "stored_tags",
    "stored_topics",
)
# How wide a card's image is shown (static/css/site.css: one column on a phone, two on a
# tablet, three on a desktop), and the home page's lead card's, wider.
CARD_IMAGE_SIZES = "(min-width: 72rem) 22rem, (min-width: 42rem) 50vw, 100vw"
LEAD_IMAGE_SIZES = "(min-width: 72rem) 42rem, 100vw"
# How a card's image waits to be scrolled to (includes/post_image.html).
_LAZY = ' loading="lazy" decoding="async"'

# What the fragments show of their post.
FRAGMENT_FIELDS = (*CARD_FIELDS, "stored_faqs", "stored_references")

logger = logging.getLogger(__name__)
_warned = set()  # the versions this process has warned of stale fragments under


def _fingerprint():
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    # Dates are shown in the site's time zone, language and date format.
    date_format = get_format("DATE_FORMAT")
    digest.update(f"{settings.TIME_ZONE}|{settings.LANGUAGE_CODE}|{date_format}".encode())
    digest.update(CARD_IMAGE_SIZES.encode())
    return digest.hexdigest()[:12]


_cached_fingerprint = functools.cache(_fingerprint)


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    if setting in {"TEMPLATES", "TIME_ZONE", "LANGUAGE_CODE", "FORMAT_MODULE_PATH"}:
        _cached_fingerprint.cache_clear()


def fragments_version():
    """The fingerprint of the fragments the current templates render. Computed once per
    process, except with DEBUG on, where templates are edited while the server runs."""
    return _fingerprint() if settings.DEBUG else _cached_fingerprint()


def render_fragment(name, post, **context):
    """Fragment `name` of `post` (its FRAGMENT_FIELDS loaded). Search results pass the words
    that matched to the card as `snippet`, shown instead of the description."""
    context = {"post": post, "card_image_sizes": CARD_IMAGE_SIZES, **context}
    return render_to_string(FRAGMENTS[name][0], context)


def store_fragments(post_ids):
    """Render and store the fragments of these posts, from their rows as committed: the rows
    are locked first (in one order), so a writer changing them at once has committed, and
    the last fragments written are of the last change."""
    from blog.models.post import Post
    from blog.sponsored import record_sponsored_links

    post_ids = sorted(set(post_ids))
    if not post_ids:
        return
    version = fragments_version()
    with transaction.atomic():
        posts = list(
            Post.objects.select_for_update(of=("self",))
            .filter(pk__in=post_ids)
            .order_by("pk")
            .select_related("featured_image")
            .only(*FRAGMENT_FIELDS, "body_html")
        )
        for post in posts:
            for name, (_, field) in FRAGMENTS.items():
                setattr(post, field, render_fragment(name, post))
            post.fragments_version = version
        # What its page shows is known now: which sponsored links it has, and where.
        record_sponsored_links(posts)
        fields = [field for _, field in FRAGMENTS.values()]
        update_rows(posts, [*fields, "fragments_version", "has_sponsored_links"])


def _warn_stale(version):
    if version not in _warned:
        _warned.add(version)
        logger.warning(
            "Stored post fragments are from other templates, so pages render them until a "
            "worker (manage.py worker) or manage.py rebuild_stored_blocks stores them again."
        )


def refresh_stale(batch_size=500):
    """Store again the fragments of posts stored from other templates (after a deploy that
    changed them), a batch at a time, newest posts first; returns how many. Workers do it when
    they start, so pages soon read stored fragments again."""
    from blog.models.post import Post

    stale = list(
        Post.objects.exclude(fragments_version=fragments_version())
        .order_by("-publish_at", "-pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(stale), batch_size):
        store_fragments(stale[start : start + batch_size])
    return len(stale)


def cards(rows, snippets=None):
    """The cards of list `rows` (with `pk`, `card_html`, `fragments_version`: for_listing()),
    in order, as safe HTML: stored ones as they are, others rendered from their posts, read
    in one query. Search results give each card its `snippets` (safe HTML, in the same order:
    the words that matched) to show instead of the description, as post_card.html shows a
    `snippet`: a stored card gets it put in the description's place, not rendered again."""
    from blog.models.post import Post

    snippets = snippets or [""] * len(rows)
    version = fragments_version()
    stale = [row.pk for row in rows if row.fragments_version != version]
    stale_posts = {}
    if stale:
        _warn_stale(version)
        stale_posts = Post.objects.select_related("featured_image").only(*CARD_FIELDS)
        stale_posts = stale_posts.in_bulk(stale)
    return [
        render_fragment("card", stale_posts[row.pk], snippet=snippet)
        if row.pk in stale_posts
        else with_snippet(row.card_html, snippet)
        for row, snippet in zip(rows, snippets, strict=True)
    ]


# A card's description as includes/post_card.html writes it: its text is escaped, so no "<".
_DESCRIPTION_START = '<p class="post-card__description">'
_CARD_DESCRIPTION = re.compile(re.escape(_DESCRIPTION_START) + r"[^<]*</p>")


def with_snippet(card_html, snippet):
    """A stored card with `snippet` (safe HTML) as its description; as it is without one."""
    if not snippet:
        return mark_safe(card_html)
    paragraph = f"{_DESCRIPTION_START}{snippet}</p>"
    # Where the description is, found as _CARD_DESCRIPTION would find it (a twentieth of a
    # search's Python went to that pattern); the pattern itself when that is not sure.
    start = card_html.find(_DESCRIPTION_START)
    text_start = start + len(_DESCRIPTION_START)
    end = card_html.find("<", text_start) if start != -1 else -1
    if end != -1 and card_html.startswith("</p>", end):
        return mark_safe(card_html[:start] + paragraph + card_html[end + 4 :])
    spliced, found = _CARD_DESCRIPTION.subn(lambda _: paragraph, card_html, count=1)
    if not found:  # a post with neither description nor excerpt: after the title
        spliced = card_html.replace("</h2>", f"</h2>\n    {paragraph}", 1)
    return mark_safe(spliced)


def page_of_cards(shown, lead=False):
    """The cards of one list page as a reader's screen shows them: the first image loads at
    once rather than lazily, and the first card is as wide as the home page's lead card when
    `lead`."""
    shown = list(shown)
    if lead and shown:
        shown[0] = mark_safe(
            shown[0].replace(f'sizes="{CARD_IMAGE_SIZES}"', f'sizes="{LEAD_IMAGE_SIZES}"')
        )
    for index, card in enumerate(shown):
        if _LAZY in card:
            shown[index] = mark_safe(card.replace(_LAZY, ' fetchpriority="high"', 1))
            break
    return shown


def page_fragments(post):
    """{"header": …, "footer": …} of a post page, as safe HTML: stored, or rendered from
    `post` (loaded for its page) if they are from other templates."""
    if post.fragments_version == fragments_version():
        return {"header": mark_safe(post.header_html), "footer": mark_safe(post.footer_html)}
    _warn_stale(fragments_version())
    return {name: render_fragment(name, post) for name in ("header", "footer")}
