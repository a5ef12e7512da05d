"""A Markdown file with front matter, read into an ImportedPost; and a post written out as
one (the export format, which reads back as it was).

What the body says in a conventional shape is moved into the model and out of the body (see
body_sections); a file written by `write` is taken as it is.
"""

import collections
import concurrent.futures
import queue
import re
import sys
import threading
from pathlib import PurePath

import yaml
from django.conf import settings
from django.utils.text import slugify

from blog.importers import body_sections, front_matter
from blog.importers.front_matter import author_names, moment, scalar, split_front_matter, words
from blog.importers.records import ImportedPost, ImportProblem, web_url
from blog.importers.text import decode, repair, repair_data
from blog.render_limits import BoundedProcess

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
    # Each of `workers` child processes (render_limits.BoundedProcess) reads and renders files
    # whole within a budget of CPU time, fed by a thread of this one (which only waits), so this
    # process saves meanwhile.
    from blog.affiliates import current_rules

    pool = _ParsePool(workers, current_rules())
    try:
        parsing = collections.deque()
        for name, source_id, read_bytes in sources:
            try:
                raw = read_bytes()
            except Exception as problem:
                parsing.append((name, problem))
            else:
                parsing.append((name, pool.submit(name, raw, source_id)))
            if len(parsing) >= PARSE_AHEAD:
                yield _parsed(*parsing.popleft())
        while parsing:
            yield _parsed(*parsing.popleft())
    finally:
        pool.close()


# Files handed to the workers ahead of the one the caller gets: enough to keep them busy while
# the caller saves a batch, few enough that a large import is never all in memory.
PARSE_AHEAD = 250
# A file's budget of CPU time in a child, in Markdown render budgets
# (settings.BYLINE_MARKDOWN_CPU_SECONDS): its body and FAQ answers are rendered, and it is read.
# A file over it is read again here, each text on its own budget, so the refusal names the text.
FILE_BUDGET = 4
# A file up to this size is sent to its child while the child still parses the one before: a
# pipe holds 64 KiB (Linux), and a larger file would wait for the child to read it while the
# child waits to write its result.
SEND_AHEAD_BYTES = 32 * 1024
# The interpreter's switch interval while a pool runs (Python's default: 5 ms). A feeding thread
# whose child has sent a result waits that long for the saving thread to let go of the GIL
# before it can hand the child its next file, and the child sat idle meanwhile: 10,000 files
# took 77.4 and 80.9 s with the default and 73.5 and 69.5 s with this (2 CPUs, one child).
SWITCH_INTERVAL = 0.0005
_CLOSED = object()


class _ParsePool:
    """Child processes that parse files, each fed by a thread that keeps the next file waiting
    in the child's pipe: the child never waits for this process (waking a waiting process
    cost more than a millisecond a file here)."""

    def __init__(self, workers, rules):
        self.rules, self.tasks = rules, queue.SimpleQueue()
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(SWITCH_INTERVAL, self.switch_interval))
        self.threads = [threading.Thread(target=self._feed, daemon=True) for _ in range(workers)]
        for thread in self.threads:
            thread.start()

    def submit(self, name, raw, source_id):
        future = concurrent.futures.Future()
        self.tasks.put((future, (name, raw, source_id, self.rules)))
        return future

    def close(self):
        """Stop the threads and their children; files not yet parsed are not (the caller has
        stopped reading)."""
        while True:
            try:
                future, _ = self.tasks.get_nowait()
            except queue.Empty:
                break
            future.cancel()
        for _ in self.threads:
            self.tasks.put(_CLOSED)
        for thread in self.threads:
            thread.join()
        sys.setswitchinterval(self.switch_interval)

    def _feed(self):
        """A thread's loop: up to two files in its child (one parsed, one waiting), results
        handed back in order. A child that overruns a file's budget or dies is stopped; that
        file is parsed here, each render on its own budget (render_limits.render_within_budget),
        and the next goes to a new child."""
        child, sent, taken, open_ = None, collections.deque(), collections.deque(), True
        seconds = FILE_BUDGET * settings.BYLINE_MARKDOWN_CPU_SECONDS
        while open_ or sent or taken:
            if open_ and len(sent) + len(taken) < 2:
                try:
                    task = self.tasks.get(block=not (sent or taken))
                except queue.Empty:
                    task = None
                if task is _CLOSED:
                    open_ = False
                elif task is not None:
                    taken.append(task)
            while taken and (not sent or len(taken[0][1][1]) <= SEND_AHEAD_BYTES):
                future, args = taken.popleft()
                try:
                    child = child or BoundedProcess(preload=["parse"])
                    child.send("parse", *args)
                except Exception:  # it died, or did not start
                    child = _stopped(child)
                    future.set_result(parse_file(*args))
                    continue
                sent.append((future, args))
            if not sent:
                continue
            future, args = sent.popleft()
            try:
                future.set_result(child.result(seconds))
            except Exception:  # OutOfTime, RecursionError, or it died (OSError, EOFError…)
                child = _stopped(child)
                taken.extendleft(reversed(sent))  # lost with it: to the next child
                sent.clear()
                future.set_result(parse_file(*args))
        _stopped(child)


def _stopped(child):
    if child is not None and child.process.poll() is None:
        child.stop()


def parse_file(name, raw, source_id, rules=None):
    """The file read and its body rendered (see saving.prepare), or the problem."""
    from blog.importers.saving import prepare  # saving needs the models; reading does not

    try:
        return prepare(read(name, raw, source_id=source_id), rules)
    except Exception as problem:
        return problem


def _parsed(name, outcome):
    if isinstance(outcome, concurrent.futures.Future):
        try:
            outcome = outcome.result()
        except Exception as problem:  # not read: say why, for this file alone
            outcome = problem
    return name, outcome


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
