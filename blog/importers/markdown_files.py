"""A Markdown file with front matter, read into an ImportedPost; and a post written out as
one (the export format, which reads back as it was).

What the body says in a conventional shape is moved into the model and out of the body (see
body_sections); a file written by `write` is taken as it is.
"""

import re
from pathlib import PurePath

import yaml
from django.utils.text import slugify

from blog.importers import body_sections, front_matter
from blog.importers.front_matter import author_names, moment, scalar, split_front_matter, words
from blog.importers.pool import ParsePool, in_order
from blog.importers.records import ImportedPost, ImportProblem, web_url
from blog.importers.text import decode, repair, repair_data

MAX_BYTES = 2 * 1024 * 1024
JEKYLL_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_KNOWN_KEYS = {
    "title", "description", "summary", "excerpt", "author", "authors", "tags", "topics",
    "categories", "date", "publishdate", "publish_date", "updated", "lastmod", "slug", "draft",
    "status", "canonical", "canonical_url", "canonicalurl", "image", "featured_image",
    "cover", "id", "faqs", "references", "featured_image_alt", "noindex", "byline", "kind",
}  # fmt: skip


def read(name, raw, source_id=None):
    """Parse one file's bytes; raise ImportProblem with the reason when it cannot be read.

    `source_id` names the file stably (its path inside the imported folder); the front
    matter's `id` wins over it.
    """
    if not raw.strip():
        raise ImportProblem("the file is empty")
    if len(raw) > MAX_BYTES:
        raise ImportProblem(f"the file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}")
    if b"\x00" in raw[:8192]:
        raise ImportProblem("this is a binary file, not Markdown")
    text = decode(raw)
    if text is None:
        raise ImportProblem("the text is neither UTF-8 nor Windows-1252 and cannot be repaired")
    meta, body = split_front_matter(repair(text))
    meta = {str(key).lower(): value for key, value in repair_data(meta).items()}
    stem = PurePath(name).stem if name != "-" else ""
    jekyll = JEKYLL_NAME.match(stem)
    jekyll_date = jekyll and _jekyll_date(jekyll)
    if not jekyll_date:
        jekyll = None

    body = body.strip("\n")
    title = scalar(meta.get("title"), "title")
    exported = meta.get("byline") is not None  # written by export_posts: the body is as-is
    if not exported:
        body, heading_title = body_sections.strip_title(body, title)
        title = title or heading_title
    if not title:
        raise ImportProblem("no title: give one in the front matter or as a leading # heading")

    trailing, faqs, references = {}, [], []
    if not exported:
        body, trailing = body_sections.take_trailing_lines(body)
        body, faqs = body_sections.take_faqs(body)
        body, references = body_sections.take_references(body)

    topics = words(meta.get("topics"), "topics") or words(meta.get("categories"), "categories")
    topics += [t for t in trailing.get("topics", []) if t not in topics]
    extra = {key: value for key, value in meta.items() if key not in _KNOWN_KEYS}
    if trailing.get("tagged"):
        extra["tagged"] = trailing["tagged"]

    slug = scalar(meta.get("slug"), "slug") or (jekyll and jekyll[4]) or slugify(title)
    fallback_id = source_id or (jekyll and jekyll[4]) or stem
    return ImportedPost(
        source_id=scalar(meta.get("id"), "id") or fallback_id or slugify(slug),
        title=title,
        slug=slugify(slug)[:200] or slugify(title)[:200] or "post",
        description=scalar(
            meta.get("description") or meta.get("summary") or meta.get("excerpt"), "description"
        ),
        authors=author_names(meta.get("authors") or meta.get("author")),
        tags=[tag[:100] for tag in words(meta.get("tags"), "tags")],
        topics=topics,
        publish_at=moment(meta.get("date") or meta.get("publishdate") or meta.get("publish_date"))
        or jekyll_date,
        updated_at=moment(meta.get("updated") or meta.get("lastmod")),
        status=front_matter.status(meta),
        canonical_url=web_url(
            scalar(
                meta.get("canonical_url") or meta.get("canonicalurl") or meta.get("canonical"),
                "canonical URL",
            )
        ),  # fmt: skip
        featured_image=scalar(
            meta.get("featured_image") or meta.get("image") or meta.get("cover"), "image"
        ),
        featured_image_alt=scalar(meta.get("featured_image_alt"), "featured_image_alt"),
        noindex=meta.get("noindex") is True,
        body=body.strip(),
        faqs=front_matter.faqs(meta.get("faqs")) + faqs,
        references=front_matter.references(meta.get("references")) + references,
        related=[] if exported else body_sections.related_links(body),
        metadata=extra,
        kind="page" if scalar(meta.get("kind"), "kind").lower() == "page" else "post",
    )


def read_all(sources, workers=0):
    """(name, ImportedPost or the problem that stopped it) for each (name, source id, reader)
    triple, in order, each body rendered. With `workers`, that many processes parse and render
    while the caller saves the files done before (this process reads them: a reader may not
    cross processes)."""
    if workers < 1:
        for name, source_id, read_bytes in sources:
            try:
                raw = read_bytes()
            except Exception as problem:  # one bad file must not stop the rest
                yield name, problem
            else:
                yield name, parse_file(name, raw, source_id)
        return
    # Each of `workers` child processes reads and renders files whole within a budget of CPU
    # time, fed by a thread of this one (which only waits), so this process saves meanwhile.
    from blog.affiliates import current_rules

    rules = current_rules()

    def submit(parsers, source):
        name, source_id, read_bytes = source
        try:
            raw = read_bytes()
        except Exception as problem:
            return problem
        return parsers.submit(name, raw, source_id, rules)

    for (name, _, _), outcome in in_order(ParsePool(workers, "parse"), sources, submit):
        yield name, outcome


def parse_file(name, raw, source_id, rules=None):
    """The file read and its body rendered (see saving.prepare), or the problem."""
    from blog.importers.saving import prepare  # saving needs the models; reading does not

    try:
        return prepare(read(name, raw, source_id=source_id), rules)
    except Exception as problem:
        return problem


def _jekyll_date(match):
    try:
        return moment(f"{match[1]}-{match[2]}-{match[3]}")
    except ImportProblem:
        return None


def write(post):
    """The post as Markdown with YAML front matter, in the form `read` takes back."""
    meta = {
        "byline": 1,  # this file's body is exactly the post's: read it back as it is
        "title": post.title,
        "slug": post.slug,
        "description": post.description,
        "authors": [author.name for author in post.authors.order_by("postauthor__order")],
        "tags": sorted(post.tags.names()),
        # The primary topic first, as the post has them.
        "topics": list(
            post.topics.through.objects.filter(post=post)
            .order_by("pk")
            .values_list("topic__name", flat=True)
        ),
        "date": post.publish_at.isoformat(),
        "status": post.status,
        "id": post.source_id or str(post.uuid),
    }
    if post.kind == post.Kind.PAGE:  # which has no tags or topics
        meta = {"byline": 1, "kind": "page"} | {
            key: value for key, value in meta.items() if key not in ("tags", "topics")
        }
    if post.canonical_url:
        meta["canonical_url"] = post.canonical_url
    if post.noindex:
        meta["noindex"] = True
    if post.featured_image_id:
        meta["featured_image"] = post.featured_image.url
    if post.featured_image_alt:
        meta["featured_image_alt"] = post.featured_image_alt
    for key, value in post.metadata.items():
        if key not in meta:
            meta[key] = value
    if faqs := list(post.faqs.values_list("question", "answer")):
        meta["faqs"] = [{"question": q, "answer": a} for q, a in faqs]
    if references := list(post.references.values("title", "publisher", "year", "url")):
        meta["references"] = [
            {k: v for k, v in r.items() if v not in ("", None)} for r in references
        ]
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{front}---\n\n{post.body.strip()}\n"
