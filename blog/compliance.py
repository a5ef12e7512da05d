"""The sponsored-content compliance check: what a post must satisfy before readers see it.

- every affiliate link is marked sponsored (its HTML was rendered with today's rules);
- a post with sponsored links has a disclosure, and readers meet it before the first one;
- every /go/ link in it is a live sponsored link (others show as plain text);
- its FAQ structured data says what its visible FAQ says;
- every library image its body shows has alt text (image_problems).

`problems(post)` checks a saved post as its page shows it (the form's panel, bulk publishing);
`problems(post, body=…, faq_answers=…, reference_urls=…)` checks a form's submitted text
before it is saved.
Publishing is refused while there are problems (blog/workflow.py check_ready_to_publish).
`image_problems` reads the library (one query), so the dashboard, which checks many posts with
`problems`, leaves it to the form and the workflow.
"""

import html
import re

from blog.affiliates import current_rules
from blog.disclosure import disclose, disclosure_before_first_link, disclosure_text
from blog.fragments import page_fragments
from blog.rendering import (
    REL_OUTBOUND,
    REL_SPONSORED,
    has_sponsored_links,
    link_kind,
    plain_text,
    render_markdown,
    web_url,
)
from blog.seo import faq_page

NO_DISCLOSURE = (
    "This post has sponsored or affiliate links but no disclosure: write one in “Disclosure "
    "for this post”, or set the site's in Site settings."
)
_LINK = re.compile(r'<a\b((?:\s+[a-z-]+="[^"]*")*)\s*>')
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
_RETIRED = re.compile(r'data-go="([A-Za-z0-9_-]+)"')
# `![alt](image:42)` and `![alt](image:42 "title")`, as blog/models/media.py reads them.
_IMAGE_REFERENCE = re.compile(r"!\[([^\]\n]*)\]\(\s*image:(\d{1,12})(?:\s+\"[^\"\n]*\")?\s*\)")
_VISIBLE_FAQ = re.compile(r"<dt\b[^>]*>(.*?)</dt>\s*<dd\b[^>]*>(.*?)</dd>", re.DOTALL)


def unmarked_affiliate_links(rendered_html, rules=None):
    """Addresses of links an affiliate rule matches that are not marked sponsored."""
    rules = rules or current_rules()
    found = []
    for match in _LINK.finditer(rendered_html):
        attributes = dict(_ATTRIBUTE.findall(match[1]))
        href = html.unescape(attributes.get("href", ""))
        if href and rules.network_of(href) and "sponsored" not in attributes.get("rel", ""):
            found.append(href)
    return found


def _visible_faqs(footer_html):
    return [
        (plain_text(question), plain_text(answer))
        for question, answer in _VISIBLE_FAQ.findall(footer_html)
    ]


def _structured_faqs(faqs):
    data = faq_page(None, faqs)["mainEntity"]
    return [(plain_text(html.escape(q["name"])), q["acceptedAnswer"]["text"]) for q in data]


def _reference_links(urls):
    """References' links, marked as the page marks them (blog/models/stored.py)."""
    rules = current_rules()
    links = []
    for url in filter(web_url, urls):
        rel = REL_SPONSORED if link_kind(url, rules) == "sponsored" else REL_OUTBOUND
        links.append(f'<p><a href="{html.escape(url)}" rel="{rel}">{html.escape(url)}</a></p>')
    return "".join(links)


def problems(post, body=None, faq_answers=None, reference_urls=None):
    """What stands between `post` and publishing, as sentences an editor can act on.

    Without `body` and `faq_answers`, the post as stored and as its page shows it; with them
    (Markdown from a form), that text rendered now, and the references stored and submitted
    (`reference_urls`): a reference can be an affiliate link too."""
    if body is None:
        shown = [post.body_html, page_fragments(post)["footer"]]
    else:
        answers = (
            [faq["answer_html"] for faq in post.stored_faqs]
            if faq_answers is None
            else [render_markdown(answer) for answer in faq_answers]
        )
        stored = [reference["url"] for reference in post.stored_references]
        references = _reference_links([*stored, *(reference_urls or [])])
        shown = [render_markdown(body), *answers, references]
    found = []
    everything = "\n".join(shown)
    if unmarked := unmarked_affiliate_links(everything):
        found.append(
            f"{len(unmarked)} affiliate link{'s are' if len(unmarked) > 1 else ' is'} not "
            f"marked sponsored ({', '.join(unmarked[:3])}): the post was rendered before its "
            "network was added. Save it again to mark them."
        )
    if has_sponsored_links(everything):
        if not disclosure_text(post):
            found.append(NO_DISCLOSURE)
        elif not disclosure_before_first_link("\n".join(disclose(post, *shown))):
            found.append("The disclosure does not come before the first sponsored link.")
    if retired := sorted(set(_RETIRED.findall(everything))):
        addresses = ", ".join(f"/go/{slug}/" for slug in retired)
        verb = (
            "are not live sponsored links" if len(retired) > 1 else "is not a live sponsored link"
        )
        found.append(
            f"{addresses} {verb}: readers see the link text without a link. Create or "
            "reactivate it under Sponsored links, or change the address."
        )
    if body is None and post.stored_faqs:
        if _visible_faqs(shown[1]) != _structured_faqs(post.stored_faqs):
            found.append(
                "The FAQ structured data differs from the FAQs the page shows: run "
                "manage.py rebuild_stored_blocks."
            )
    return found


def image_problems(post, body=None):
    """Images the body (`body`, else the stored one) would show without alt text, as sentences
    naming them: library images it refers to with no alt text of their own and none in the
    library, and references to images that are not in the library. (The featured image's alt
    text is checked with the post's other fields: blog/workflow.py.)"""
    from blog.models import Image

    references = {}  # id → whether some reference to it has alt text of its own
    for alt, number in _IMAGE_REFERENCE.findall(post.body if body is None else body):
        references[int(number)] = references.get(int(number), False) or bool(alt.strip())
    wanted = {pk for pk, has_alt in references.items() if not has_alt}
    if not wanted:
        return []
    known = {
        image.pk: image
        for image in Image.objects.filter(pk__in=wanted).only("pk", "title", "alt_text")
    }
    found = []
    if missing := sorted(wanted - known.keys()):
        numbers = ", ".join(f"image:{pk}" for pk in missing)
        found.append(
            f"The body refers to {numbers}, which {'are' if len(missing) > 1 else 'is'} not in "
            "the image library: insert the image again from the library."
        )
    unnamed = [known[pk] for pk in references if pk in known and not known[pk].alt_text.strip()]
    if unnamed:
        names = ", ".join(f"“{image.title}” (image:{image.pk})" for image in unnamed)
        found.append(
            f"{'These images have' if len(unnamed) > 1 else 'This image has'} no alt text: "
            f"{names}. Write it in the reference, ![what it shows](image:{unnamed[0].pk}), or "
            "in the image library, for readers who cannot see the image."
        )
    return found
