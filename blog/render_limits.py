"""Bounds on rendering an author's Markdown, so no text can stall a worker.

python-markdown's cost explodes on a few shapes: every unclosed `[` scans to the end of its
paragraph (20,000 of them: minutes), every `<` that opens a tag never closed scans to the next
`>` in the whole text, headings, footnotes and abbreviations cost more the more there are, table
rows, list items and character references are costly each, and nested lists recurse until
RecursionError. `check_source` finds those shapes in one linear pass and refuses them with a
message for the author, in milliseconds. Anything it misses is stopped by `within_budget`, a
limit on the CPU time the rendering thread spends.
"""

import ctypes
import re
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


class _OutOfTime(BaseException):
    """Raised inside the rendering thread when its budget is spent. A BaseException, so no
    `except Exception` in a library can swallow it."""


def _raise_in(thread_id, exception):
    """Raise `exception` in another thread at its next bytecode; None takes back a pending one
    (ctypes passes None as NULL, which is how the C API clears it)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), exception)


def _thread_clock(thread_id):
    """A function giving a thread's CPU time; wall-clock time where the system has no per-thread
    CPU clock that another thread can read (macOS)."""
    if not hasattr(time, "pthread_getcpuclockid"):
        return time.monotonic
    clock_id = time.pthread_getcpuclockid(thread_id)
    return lambda: time.clock_gettime(clock_id)


def within_budget(function, *args):
    """Call `function(*args)`, stopping it once this thread has used its CPU budget.

    A watcher thread reads this thread's CPU clock and, when the budget is spent, raises
    _OutOfTime in it at its next bytecode (a long C call is not cut short, so the checks above
    keep single calls small). A loaded machine stretches wall-clock time but not CPU time, so a
    text is refused for its own cost only. The watcher raises again every 10 ms until the call
    ends: an interruption that lands in a destructor the garbage collector runs is swallowed
    there (Python prints "Exception ignored in …").
    """
    seconds = settings.BYLINE_MARKDOWN_CPU_SECONDS
    target = threading.get_ident()
    clock = _thread_clock(target)
    started = clock()
    stopped = threading.Event()

    def watch():
        wait = seconds
        while not stopped.wait(wait):
            used = clock() - started
            if used >= seconds:
                _raise_in(target, ctypes.py_object(_OutOfTime))
                wait = 0.01
            else:
                wait = max(seconds - used, 0.005)

    watcher = threading.Thread(target=watch, name="markdown-budget", daemon=True)
    try:
        try:
            watcher.start()
            return function(*args)
        finally:
            _stop(watcher, stopped, target)
    except _OutOfTime:
        raise MarkdownRefused(
            f"The text takes too long to render (over {seconds:g} s of work). Very long tables "
            "or lists, or long runs of markup characters, are the usual cause: shorten them or "
            "split the text."
        ) from None
    except RecursionError:
        raise MarkdownRefused("The text is nested too deeply to render.") from None


def _stop(watcher, stopped, target):
    """End the watcher, then take back an interruption it may have sent as the call returned,
    so none can surface in the caller. Interruptions landing here just make it start over."""
    while True:
        try:
            stopped.set()
            if watcher.is_alive():
                watcher.join()
            _raise_in(target, None)
            return
        except _OutOfTime:
            continue
