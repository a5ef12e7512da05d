"""Stored XSS through every field an author fills in, checked in a real browser.

The corpus (tests/xss_vectors.py) goes into every author field, stored through the ORM (no form
validation: the stronger test) and a few through the admin form, then every page that shows
those fields is opened in Chromium: readers' pages, feeds, the admin's lists, change forms (with
their live preview), revisions and previews. Two checks per page:

- execution: each vector calls `__xss(<number>)`, a function Playwright exposes, and alert,
  confirm, prompt and print are trapped too, in every frame, so whichever runs is named;
- the DOM the browser built: no event handler attribute, no script but JSON-LD (which must
  parse) or the admin's own files, no frame, object, embed, base or meta refresh, no URL whose
  scheme the browser reads as javascript:, vbscript: or data:. This catches what needs a click.

Pages are opened with the Content-Security-Policy bypassed, so that it is escaping and the
sanitiser being tested, not the policy; a second pass with the policy on checks that no
violation is reported on the richest pages.
"""

import io
import re
from datetime import timedelta
from math import ceil
from urllib.parse import quote

import feedparser
import pytest
from defusedxml import ElementTree
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from taggit.models import Tag

from accounts.models import User
from blog.models import FAQ, Post, PostAuthor, Reference, Topic
from blog.models import Image as LibraryImage
from blog.preview import preview_url
from tests.browser import PolicyWatch, requires_chromium
from tests.helpers import post_form
from tests.xss_vectors import TEXT_VECTORS, URL_VECTORS, pack

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

TRAPS = """
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => window.__xss(`${name}(${args.join(",")})`);
}
"""

# Whatever the browser made of the page: anything that could run script, now or on a click.
AUDIT = """([origin, admin]) => {
  const found = [];
  const urlAttributes = ["href", "src", "action", "formaction", "data", "poster", "background",
                         "xlink:href", "dynsrc", "lowsrc", "codebase", "cite", "ping"];
  const where = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`;
  for (const el of document.querySelectorAll("*")) {
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) found.push(`${where(el)} ${name}=${attribute.value}`);
      if (name === "srcdoc") found.push(`${where(el)} srcdoc`);
      if (urlAttributes.includes(name)) {
        let scheme = "";
        try { scheme = new URL(attribute.value, document.baseURI).protocol; } catch {}
        if (["javascript:", "vbscript:", "data:"].includes(scheme)) {
          found.push(`${where(el)} ${name}=${attribute.value}`);
        }
      }
    }
    const tag = el.tagName.toLowerCase();
    if (["iframe", "frame", "frameset", "object", "embed", "applet", "base"].includes(tag)) {
      found.push(tag);
    }
    if (tag === "meta" && (el.httpEquiv || "").toLowerCase() === "refresh") {
      found.push("meta refresh");
    }
    if (tag === "script") {
      if (el.type === "application/ld+json") {
        try { JSON.parse(el.textContent); } catch (e) { found.push(`JSON-LD: ${e}`); }
      } else if (!(admin && [origin + "/static/", origin + "/admin/jsi18n/"].some(
                   (own) => el.src.startsWith(own)))) {
        found.push(`script ${el.src || el.textContent.slice(0, 80)}`);
      }
    }
    // The readers' pages have no inline SVG, MathML, style or template at all.
    if (!admin && ["svg", "math", "style", "template", "noscript"].includes(tag)) found.push(tag);
  }
  return found;
}"""


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def spread(vectors, parts):
    """The vectors in `parts` groups, as Markdown paragraphs."""
    size = ceil(len(vectors) / parts)
    return [
        "\n\n".join(text for _, text in vectors[i * size : (i + 1) * size]) for i in range(parts)
    ]


def cycle(strings, count):
    return [strings[i % len(strings)] for i in range(count)]


# Tag, topic and author pages are one template each, with the name in the same places: every
# SAMPLE-th of them is opened (each name is also checked on the post pages and in the admin).
SAMPLE = 3


def build_site(admin_user):
    """Every author field of every kind of object, filled with the corpus: each field holds
    as many vectors as its length allows, and its instances share the corpus between them.
    Returns the main post and the paths to open."""
    urls = [url for _, url in URL_VECTORS]
    names, short, medium = pack(TEXT_VECTORS, 150), pack(TEXT_VECTORS, 50), pack(TEXT_VECTORS, 100)
    count = max(len(names), ceil(len(short) / 2), len(medium))
    users = [
        User.objects.create(
            username=f"xss{i}", slug=f"xss-{i}", display_name=name, bio=bio,
            twitter=twitter, github=github, mastodon=mastodon,
            website=urls[i % len(urls)], linkedin=urls[(i + 1) % len(urls)],
        )
        for i, (name, bio, twitter, github, mastodon) in enumerate(zip(
            cycle(names, count), spread(TEXT_VECTORS, count), cycle(short, count),
            cycle(short[1:] + short[:1], count), cycle(medium, count), strict=True,
        ))
    ]  # fmt: skip
    topics = [
        Topic.objects.create(name=name, slug=f"xss-{i}", description=description)
        for i, (name, description) in enumerate(
            zip(pack(TEXT_VECTORS, 80), cycle(pack(TEXT_VECTORS, 1500), 999), strict=False)
        )
    ]
    tags = pack(TEXT_VECTORS, 100)

    # Posts: the first has the whole corpus in its body, FAQs and references; tags, topics and
    # authors are shared out so that each page stays small.
    titles, descriptions = pack(TEXT_VECTORS, 200), pack(TEXT_VECTORS, 300)
    alts = pack(TEXT_VECTORS, 250)
    count = max(len(titles), len(descriptions), len(alts))
    bodies = ["\n\n".join(text for _, text in TEXT_VECTORS), *spread(TEXT_VECTORS, count - 1)]
    image = png()
    posts = []
    for i, (title, description, alt, body) in enumerate(
        zip(
            cycle(titles, count),
            cycle(descriptions, count),
            cycle(alts, count),
            bodies,
            strict=True,
        )
    ):
        post = Post(
            title=title, slug=f"xss-{i}", description=description, body=f"payload\n\n{body}",
            featured_image_alt=alt, canonical_url=urls[i % len(urls)],
            status=Post.Status.PUBLISHED, publish_at=timezone.now() - timedelta(hours=i + 1),
        )  # fmt: skip
        post.featured_image = LibraryImage.objects.create_from_upload(
            ContentFile(image, f"xss-{i}.png"),
            user=None,
            alt_text=alt[:250],
            caption=alt[:500],
            credit=alt[:200],
        )
        post.body += f'\n\n![{alt}](image:{post.featured_image.pk} "{alt}")\n'
        post.save()
        for order, user in enumerate(users[i::count], start=1):
            PostAuthor.objects.create(post=post, author=user, order=order)
        post.tags.add(*tags[i::count])
        post.topics.add(*topics[i::count])
        posts.append(post)
    main = posts[0]
    questions, ref_titles = pack(TEXT_VECTORS, 300), pack(TEXT_VECTORS, 200)
    count = max(len(questions), len(ref_titles))
    rows = zip(
        cycle(questions, count), spread(TEXT_VECTORS, count), cycle(ref_titles, count),
        cycle(pack(TEXT_VECTORS, 200), count), cycle(urls, count), strict=True,
    )  # fmt: skip
    for order, (question, answer, title, publisher, url) in enumerate(rows, start=1):
        FAQ.objects.create(post=main, question=question, answer=answer, order=order)
        Reference.objects.create(
            post=main, title=title, publisher=publisher, url=url, year=2020, order=order
        )
    main.save_with_history(by=admin_user)
    main.body += "\n\nAnd a last line: <img src=x onerror=__xss('revision')>"
    main.save_with_history(by=admin_user)

    draft = Post.objects.create(
        title=titles[0], slug="xss-draft", description=descriptions[0], body=main.body,
        status=Post.Status.DRAFT, publish_at=timezone.now(),
    )  # fmt: skip
    PostAuthor.objects.create(post=draft, author=users[0], order=1)

    year = main.publish_at.year
    all_tags = list(Tag.objects.order_by("pk"))
    public = [
        "/", "/?page=2", f"/archive/{year}/", f"/archive/{year}/{main.publish_at.month}/",
        *(f"/search/?q={q}" for q in ["payload", "onerror", "script", "javascript", "svg"]),
        preview_url(draft)[0],
        *(f"/posts/{post.slug}/" for post in posts),
        *(f"/authors/{user.slug}/" for user in users[::SAMPLE]),
        *(f"/topics/{topic.slug}/" for topic in topics[::SAMPLE]),
        *(f"/tags/{tag.slug}/" for tag in all_tags[::SAMPLE]),
    ]  # fmt: skip
    feeds = ["/feed/", "/feed/atom/", f"/authors/{users[0].slug}/feed/", "/topics/xss-0/feed/atom/"]
    feeds += [f"/tags/{tag.slug}/feed/" for tag in all_tags[:3]]
    admin = [
        "/admin/", "/admin/blog/post/", f"/admin/blog/post/{main.pk}/change/",
        f"/admin/blog/post/{main.pk}/revisions/", f"/admin/blog/post/{main.pk}/preview/",
        f"/admin/blog/post/{draft.pk}/change/", "/admin/blog/post/?q=svg",
        "/admin/accounts/user/", f"/admin/accounts/user/{users[1].pk}/change/",
        "/admin/blog/topic/", f"/admin/blog/topic/{topics[1].pk}/change/",
        "/admin/taggit/tag/", f"/admin/taggit/tag/{all_tags[0].pk}/change/",
        "/admin/blog/statechange/",
    ]  # fmt: skip
    return main, public, feeds, admin


def post_through_the_admin_form(client):
    """A few vectors the way an author types them: through the post form, FAQ row included."""
    for number, text in TEXT_VECTORS[::40]:
        faq = {"faqs-TOTAL_FORMS": "1", "faqs-0-question": text[:300], "faqs-0-answer": text}
        data = post_form(
            title=text[:200], description=text[:300], body=text, tags=f'"{text[:90]}"',
            featured_image_alt=text[:250], **faq, **{"faqs-0-order": "1"},
        )  # fmt: skip
        response = client.post("/admin/blog/post/add/", data | {"_transition": "publish"})
        assert response.status_code == 302, (number, response.content[:3000])
    # Fields the form checks refuse what the ORM above took: slugs and URLs.
    for field, value in [
        ("slug", '"><svg onload=__xss(0)>'),
        ("canonical_url", "javascript:__xss(0)"),
    ]:
        response = client.post("/admin/blog/post/add/", post_form(**{field: value}))
        assert response.status_code == 200
        assert "errorlist" in response.content.decode(), field


class Visit:
    """A browser context that records every vector that runs and audits every page it opens."""

    def __init__(self, browser, live_server, bypass_csp=True):
        self.origin = live_server.url
        self.context = browser.new_context(bypass_csp=bypass_csp)
        self.ran = []
        self.found = {}
        self.where = ""
        self.context.expose_function("__xss", self._ran)
        self.context.add_init_script(TRAPS)
        self.context.on("page", lambda page: page.on("dialog", self._dialog))
        self.watch = PolicyWatch(self.context)
        self.page = self.context.new_page()

    def _ran(self, number):
        self.ran.append(f"{number} on {self.where}")

    def _dialog(self, dialog):
        self.ran.append(f"{dialog.type} dialog {dialog.message!r} on {self.where}")
        dialog.dismiss()

    def read(self, path):
        """A reader's page: the HTML exactly as served, parsed and run by the browser in a
        blank document (so that its dozens of broken image sources fail at once instead of
        each costing a request)."""
        self.where = path
        response = self.page.request.get(self.origin + path)
        assert response.status == 200, path
        self.page.set_content(response.text(), wait_until="load")
        self.settle(admin=False)

    def open(self, path, admin=False):
        """A page navigated to, as a user would, with its own scripts and stylesheets."""
        self.where = path
        response = self.page.goto(self.origin + path, wait_until="load")
        assert response.status == 200, path
        if "/change/" in path and self.page.locator(".markdownx-preview").count():
            self.page.wait_for_selector(".markdownx-preview *")  # the live preview has run
        self.settle(admin)

    def settle(self, admin):
        self.page.wait_for_timeout(20)  # autofocus, toggle and animation events
        if found := self.page.evaluate(AUDIT, [self.origin, admin]):
            self.found[self.where] = found

    def log_in(self, user):
        self.page.goto(f"{self.origin}/admin/login/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", "pass-word-123")
        self.page.click("input[type=submit]")
        self.page.wait_for_selector("#site-name")


def test_no_xss_vector_runs_on_any_page_feed_or_admin_screen(
    live_server, browser, superuser, client
):
    client.force_login(superuser)
    post_through_the_admin_form(client)
    main, public, feeds, admin = build_site(superuser)
    visit = Visit(browser, live_server)

    for path in public:
        visit.read(path)
    # Vectors as search queries: reflected in the search box, the title and the summary.
    for _, text in TEXT_VECTORS[::10]:
        visit.read(f"/search/?q={quote(text[:200])}")
    # Readers see the text authors typed, as text.
    visit.open(f"/posts/{main.slug}/")
    assert visit.page.locator("h1").text_content().split() == main.title.split()
    assert visit.page.locator(".faq-list__question").count() == main.faqs.count()

    # Feeds as served. Titles are text (Atom declares it; RSS leaves it to the reader, so
    # the XML itself is read); the HTML parts are rendered as a reader that does not sanitise
    # would render them.
    not_xml = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # feeds leave these out
    titles = {not_xml.sub("", title) for title in Post.objects.values_list("title", flat=True)}
    for path in feeds:
        response = visit.page.request.get(visit.origin + path)
        assert response.ok, path
        feed = feedparser.parse(response.text(), sanitize_html=False)
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.entries, path
        if "/atom/" in path:
            assert {entry.title_detail.type for entry in feed.entries} == {"text/plain"}
            assert {entry.title for entry in feed.entries} <= titles, path
        else:
            items = ElementTree.fromstring(response.body()).iter("item")
            assert {item.findtext("title") for item in items} <= titles, path
        html = "".join(
            "<article>"
            + "".join(part.value for part in entry.get("content", []))
            + entry.get("summary", "")
            + "</article>"
            for entry in feed.entries
        )
        visit.where = path
        visit.page.set_content(f"<!doctype html><title>feed</title><body>{html}</body>")
        visit.settle(admin=False)

    visit.log_in(superuser)
    for path in admin:
        visit.open(path, admin=True)

    assert visit.ran == []
    assert visit.found == {}
    visit.context.close()

    # With the policy on, the richest pages report no violation: nothing inline got through.
    enforced = Visit(browser, live_server, bypass_csp=False)
    for path in ["/", f"/posts/{main.slug}/", "/search/?q=onerror", "/authors/xss-1/"]:
        enforced.open(path)
    enforced.log_in(superuser)
    for path in admin[1:5]:
        enforced.open(path, admin=True)
    assert enforced.ran == []
    assert enforced.watch.violations == []
    enforced.context.close()


def test_the_traps_and_the_audit_catch_a_vector_that_gets_through(live_server, browser):
    visit = Visit(browser, live_server)
    visit.where = "control"
    visit.page.set_content(
        '<p><img src=x onerror="__xss(1)"><a href=" java&#x09;script:__xss(2)">x</a>'
        "<details open ontoggle=alert(3)>x</details></p>"
    )
    visit.settle(admin=False)
    visit.page.wait_for_timeout(100)
    assert "1 on control" in visit.ran
    assert "alert(3) on control" in visit.ran
    found = visit.found["control"]
    assert any("onerror" in finding for finding in found)
    assert any("href= java" in finding for finding in found)
    visit.context.close()
