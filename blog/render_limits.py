"""Bounds on rendering an author's Markdown, so no text can stall a worker.

python-markdown's cost explodes on a few shapes: every unclosed `[` scans to the end of its
paragraph (20,000 of them: minutes), every `<` that opens a tag never closed scans to the next
`>` in the whole text, headings, footnotes and abbreviations cost more the more there are, table
rows, list items and character references are costly each, and nested lists recurse until
RecursionError. `check_source` finds those shapes in one linear pass and refuses them with a
message for the author, in milliseconds. Anything it misses is stopped by `render_within_budget`, a
limit on the CPU time a render may spend, enforced by rendering in a child process that is
killed when it overruns.
"""

import atexit
import contextlib
import fcntl
import importlib
import os
import pickle
import re
import select
import subprocess
import sys
import threading
import time

from django.conf import settings


class MarkdownRefused(ValueError):
    """Markdown that cannot be rendered within the limits; the message is for its author."""


# Work units are characters python-markdown scans again for each opening `[` or `<`; measured on
# this project's machine, 200,000 bracket units cost about 0.1 s and 2,000,000 tag units 0.15 s.
# A legitimate text stays far below both: a link's text or a tag is scanned once.
MAX_BRACKET_WORK = 200_000
MAX_TAG_WORK = 2_000_000
# Counts of things python-markdown spends much time on each (measured: a table row 90 µs, a
# list item 50 µs, a heading more the more there are), so each count at its limit renders in
# well under the time budget.
MAX_HEADINGS = 300
MAX_FOOTNOTE_MARKS = 600  # references and definitions together
MAX_LIST_ITEMS = 3_000
MAX_TABLE_ROWS = 2_000
MAX_CHARACTER_REFERENCES = 5_000
# Each abbreviation is looked for in the whole text: 50 in 95,000 characters cost 0.5 s.
MAX_ABBREVIATION_WORK = 1_000_000

_PARAGRAPH_END_OR_BRACKET = re.compile(r"\n[ \t]*(?=\n)|\]\(|[\[\]()]")
_TAG_OPEN_OR_CLOSE = re.compile(r"<[A-Za-z/!?]|>")
_CONTAINER_PREFIX = re.compile(r"[ \t]*(?:(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]*)+")
_LIST_MARKER = re.compile(r"(?:^|[ \t>])(?:[-*+]|\d{1,9}[.)])(?=[ \t])")
_THEMATIC_BREAK = re.compile(r"[ ]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_HEADING = re.compile(r"^[ ]{0,3}(?:#{1,6}(?:[ \t]|$)|(?:=+|-+)[ \t]*$)", re.MULTILINE)
_FOOTNOTE_MARK = re.compile(r"\[\^")
_LIST_ITEM = re.compile(r"^[ \t>]*(?:[-*+]|\d{1,9}[.)])[ \t]", re.MULTILINE)
_TABLE_ROW = re.compile(r"^[^\n|]*\|", re.MULTILINE)
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z0-9]+);")
_ABBREVIATION = re.compile(r"^[ ]{0,3}\*\[[^\]\n]*\]:", re.MULTILINE)


def check_source(text):
    """Refuse text whose shape would make rendering slow or recursive (a linear scan)."""
    max_chars = settings.BYLINE_MARKDOWN_MAX_CHARS
    if len(text) > max_chars:
        raise MarkdownRefused(
            f"The text is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Split it into several posts."
        )
    _check_nesting(text)
    _check_brackets(text)
    _check_tags(text)
    for pattern, limit, what in [
        (_HEADING, MAX_HEADINGS, "headings"),
        (_FOOTNOTE_MARK, MAX_FOOTNOTE_MARKS, "footnote references and definitions"),
        (_LIST_ITEM, MAX_LIST_ITEMS, "list items"),
        (_TABLE_ROW, MAX_TABLE_ROWS, "lines with a “|” (table rows)"),
        (_CHARACTER_REFERENCE, MAX_CHARACTER_REFERENCES, "character references (&…;)"),
    ]:
        found = sum(1 for _ in pattern.finditer(text))
        if found > limit:
            raise MarkdownRefused(f"The text has {found:,} {what}; the limit is {limit:,}.")
    abbreviations = sum(1 for _ in _ABBREVIATION.finditer(text))
    if abbreviations * len(text) > MAX_ABBREVIATION_WORK:
        limit = MAX_ABBREVIATION_WORK // len(text)
        raise MarkdownRefused(
            f"The text defines {abbreviations:,} abbreviations (*[…]: …); a text this long may "
            f"define at most {limit:,}."
        )


def _check_nesting(text):
    limit = settings.BYLINE_MARKDOWN_MAX_NESTING
    for number, line in enumerate(text.splitlines(), start=1):
        prefix = _CONTAINER_PREFIX.match(line)
        if prefix is None or _THEMATIC_BREAK.fullmatch(line):
            continue
        marks = prefix[0]
        indent = len(marks[: len(marks) - len(marks.lstrip(" \t"))].expandtabs(4))
        depth = indent // 4 + marks.count(">") + len(_LIST_MARKER.findall(marks))
        if depth > limit:
            raise MarkdownRefused(
                f"Lists or quotes are nested {depth} levels deep on line {number}; the limit "
                f"is {limit}."
            )


def _check_brackets(text):
    """Each `[` makes python-markdown scan to its `]`, and each `](` to its `)`, or else to the
    end of the paragraph."""
    bracket_work = link_work = unclosed = unclosed_links = deepest = 0
    brackets, parens = [], []  # positions of open `[`; of open `(`, with whether a link's
    for match in _PARAGRAPH_END_OR_BRACKET.finditer(text):
        token, position = match[0], match.start()
        if token == "[":
            brackets.append(position)
            deepest = max(deepest, len(brackets))
        elif token[0] == "]":
            if brackets:
                bracket_work += position - brackets.pop()
            if token == "](":
                parens.append((position, True))
        elif token == "(":
            parens.append((position, False))
        elif token == ")":
            if parens and (opened := parens.pop())[1]:
                link_work += position - opened[0]
        else:
            bracket_work += sum(position - start for start in brackets)
            link_work += sum(position - start for start, is_link in parens if is_link)
            unclosed += len(brackets)
            unclosed_links += sum(1 for _, is_link in parens if is_link)
            brackets, parens = [], []
    bracket_work += sum(len(text) - start for start in brackets)
    link_work += sum(len(text) - start for start, is_link in parens if is_link)
    unclosed += len(brackets)
    unclosed_links += sum(1 for _, is_link in parens if is_link)
    if bracket_work > MAX_BRACKET_WORK:
        raise MarkdownRefused(
            f"The text has too many square brackets “[” that are never closed or are nested "
            f"too deeply ({unclosed:,} left open, nested up to {deepest:,} deep). Close each "
            "“[” with “]”, or write \\[ for a bracket that is only text."
        )
    if link_work > MAX_BRACKET_WORK:
        raise MarkdownRefused(
            f"The text has too many link addresses “](” never closed with “)” "
            f"({unclosed_links:,} of them). Close each with “)”, or write \\( for a "
            "parenthesis that is only text."
        )


def _check_tags(text):
    """Each `<` that may open a tag makes the HTML parser scan to the next `>`."""
    work, unclosed, waiting = 0, 0, []
    for match in _TAG_OPEN_OR_CLOSE.finditer(text):
        if match[0] == ">":
            if len(waiting) > 1:
                unclosed += len(waiting) - 1
            work += sum(match.start() - start for start in waiting)
            waiting = []
        else:
            waiting.append(match.start())
    unclosed += len(waiting)
    work += sum(len(text) - start for start in waiting)
    if work > MAX_TAG_WORK:
        raise MarkdownRefused(
            f"The text has too many “<” that start an HTML tag never closed with “>” "
            f"({unclosed:,} of them). Close each tag, or write &lt; for a “<” that is only text."
        )


class BoundedProcess:
    """A child process that runs tasks (TASKS) one at a time, each within a budget of CPU time:
    when a task overruns it, the process is killed, and the caller starts a new one for the next
    task. Killing a process is the one way to stop Python code from outside that leaves nothing
    behind (an exception injected into a thread can land anywhere, in a lock's release or a
    caller's code). A plain `python -m` child, not multiprocessing, so no main module is
    imported again in it. Tasks and results cross as pickles: only this parent writes to the
    child, and only the child's own code writes the results."""

    def __init__(self, preload=()):
        """`preload`: the TASKS besides "render" to make ready before the first is sent."""
        self.owner = os.getpid()  # a forked server worker must start its own
        self.process = subprocess.Popen(
            [sys.executable, "-m", "blog.render_limits", *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Unbuffered: a buffered reader could read the next result ahead into its buffer,
            # where select() (see _receive) would not see it.
            bufsize=0,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        # Imports happen before "ready", so they are not counted against the first task.
        try:
            ready = self._receive(STARTUP_SECONDS, seconds=None) == "ready"
        except BaseException:  # it died, or took too long: not left running
            self.stop()
            raise
        if not ready:
            self.stop()
            raise RuntimeError("The Markdown renderer process did not start.")
        # How many bytes its stdin pipe holds (Linux; POSIX promises 512 at least).
        try:
            self.pipe_bytes = fcntl.fcntl(self.process.stdin, fcntl.F_GETPIPE_SZ)
        except (AttributeError, OSError):
            self.pipe_bytes = 512

    def cpu_seconds(self):
        """The child's CPU time so far (Linux); None where /proc cannot tell."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def call(self, task, *args, seconds):
        """What TASKS[task](*args) returns in the child; OutOfTime once the child has used
        `seconds` of CPU (or ten times that of wall-clock time where CPU time cannot be read),
        or died; RecursionError if the task raised it."""
        self.send(task, *args)
        return self.result(seconds)

    def send(self, task, *args):
        """Hand the child a task; it runs the tasks it is sent in order."""
        self.send_message(message(task, *args))

    def send_message(self, data):
        """Hand the child a task as message() wrote it. A caller may send the next task before
        reading the last one's result (so the child never waits for it) if that message fits
        in the pipe (`pipe_bytes`) whole: the child writes a result, which may not fit either,
        only once it has read the task before, so a larger one could wait for the child while
        the child waits for the caller."""
        view = memoryview(data)
        while view:
            view = view[self.process.stdin.write(view) :]

    def result(self, seconds):
        """The result of the oldest task sent and not yet read, as call() gives it."""
        outcome, value = self._receive(10 * seconds + 1, seconds)
        if outcome == "recursion":
            raise RecursionError
        return value

    def _receive(self, wall_seconds, seconds):
        start_cpu, start_wall = self.cpu_seconds(), time.monotonic()
        stdout = self.process.stdout
        while not select.select([stdout], [], [], 0.01)[0]:
            cpu = self.cpu_seconds()
            over_budget = seconds is not None and cpu is not None and start_cpu is not None
            if (over_budget and cpu - start_cpu >= seconds) or (
                time.monotonic() - start_wall >= wall_seconds
            ):
                raise OutOfTime
        return _receive(stdout)

    def stop(self):
        """Kill the child (if it still runs) and close its pipes."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


class OutOfTime(Exception):
    """The task used up its budget (or its process died)."""


# What a BoundedProcess runs, by name: "module:function".
TASKS = {
    "render": "blog.rendering:convert_markdown",
    # A Markdown file read and rendered whole, for imports (one hop instead of two).
    "parse": "blog.importers.markdown_files:parse_file",
    # A WordPress post converted to Markdown and rendered, given once what every post needs.
    "wordpress": "blog.importers.wordpress:convert_and_render",
    "wordpress-setup": "blog.importers.wordpress:share",
}


def message(task, *args):
    """TASKS[task](*args) as sent to a BoundedProcess: pickled, after its length."""
    return _framed((task, args))


def _framed(value):
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(4, "big") + data


def _send(stream, value):
    stream.write(_framed(value))
    stream.flush()


def _receive(stream):
    return pickle.loads(_read(stream, int.from_bytes(_read(stream, 4), "big")))


def _read(stream, size):
    """`size` bytes from `stream`, which may give fewer at a time (an unbuffered pipe)."""
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise OutOfTime  # the process died
        data += chunk
    return bytes(data)


# Renders run one at a time per process, in that process's child: they happen on saves, imports
# and previews, never on a reader's request.
STARTUP_SECONDS = 30
_renderer = None
_renderer_lock = threading.Lock()
# True in a BoundedProcess: its own budget bounds what it renders.
_in_child = False


def render_within_budget(text):
    """(unsanitised HTML, heading tokens) of python-markdown, refused with MarkdownRefused once
    the render has used settings.BYLINE_MARKDOWN_CPU_SECONDS of CPU time. CPU time, not
    wall-clock time: a loaded machine must not make an ordinary post fail."""
    global _renderer
    seconds = settings.BYLINE_MARKDOWN_CPU_SECONDS
    if _in_child:  # the task's budget stops a render that runs away; this one's is checked after
        from blog.rendering import convert_markdown

        started = time.process_time()
        try:
            rendered = convert_markdown(text)
        except RecursionError:
            raise MarkdownRefused("The text is nested too deeply to render.") from None
        if time.process_time() - started >= seconds:
            raise _too_long(seconds)
        return rendered
    with _renderer_lock:
        if not _renderer or _renderer.owner != os.getpid() or _renderer.process.poll() is not None:
            _renderer = BoundedProcess()
        try:
            return _renderer.call("render", text, seconds=seconds)
        except (OutOfTime, OSError):  # OSError: a pipe to a process that died
            _renderer.stop()
            _renderer = None
            raise _too_long(seconds) from None
        except RecursionError:
            raise MarkdownRefused("The text is nested too deeply to render.") from None


def load_task(task):
    """The function of TASKS[task]."""
    module, function = TASKS[task].split(":")
    return getattr(importlib.import_module(module), function)


def _load(task):
    """The function of TASKS[task], in a child. Any but "render" reads the models' code (no
    database), so Django is set up first: 1 s or so, which the renderer alone does without
    (0.2 s)."""
    if task != "render":
        import django

        django.setup()
    return load_task(task)


def _too_long(seconds):
    return MarkdownRefused(
        f"The text takes too long to render (over {seconds:g} s of work). Very long tables or "
        "lists, or long runs of markup characters, are the usual cause: shorten them or split "
        "the text."
    )


@atexit.register
def _stop_renderer():
    if _renderer and _renderer.owner == os.getpid():
        _renderer.stop()


def _serve(stdin, stdout, preload=()):
    """The child's loop: run each task it is sent, answer with the result."""
    global _in_child
    _in_child = True
    tasks = {name: _load(name) for name in ("render", *preload)}
    _send(stdout, "ready")
    while True:
        try:
            task, args = _receive(stdin)
        except OutOfTime:  # the parent is gone
            return
        if task not in tasks:
            tasks[task] = _load(task)
        try:
            result = ("done", tasks[task](*args))
        except RecursionError:
            result = ("recursion", None)
        _send(stdout, result)


if __name__ == "__main__":
    # As the module the tasks import (`python -m` runs a copy named __main__), so that they
    # see _in_child set.
    from blog import render_limits

    render_limits._serve(sys.stdin.buffer, sys.stdout.buffer, preload=sys.argv[1:])
