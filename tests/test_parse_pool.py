"""The processes imports parse in (blog/importers/pool.py): results in order whatever their
size, and nothing left running or waiting when a child cannot be started."""

from pathlib import Path

import pytest

from blog.importers.pool import SEND_AHEAD_BYTES, STARTS_TO_FAIL, ParsePool, in_order
from blog.rendering import convert_markdown
from tests.helpers import child_processes

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")


def parsed(pool, texts):
    return [outcome for _, outcome in in_order(pool, texts, lambda pool, text: pool.submit(text))]


def test_posts_sent_ahead_and_results_larger_than_a_pipe_come_back_in_order():
    # Each text's message fits in the pipe, so the next is sent while the child renders;
    # each result (about 90 KB of HTML) does not, and the child writes it all the same.
    texts = [f"{number}\n\n" + "x\n\n" * 10_000 for number in range(6)]
    assert len(texts[0]) < SEND_AHEAD_BYTES and len(convert_markdown(texts[0])[0]) > 64 * 1024
    # And a text too large to send ahead, between them.
    texts.insert(3, "y\n\n" * 20_000)
    before = child_processes()
    here = []

    def render_here(text):
        here.append(text)
        return convert_markdown(text)

    pool = ParsePool(1, "render", here=render_here)
    outcomes = in_order(pool, texts, lambda pool, text: pool.submit(text))
    first = next(outcomes)[1]
    assert child_processes() - before  # its child, seen while it runs

    assert [first, *(outcome for _, outcome in outcomes)] == [
        convert_markdown(text) for text in texts
    ]
    # None given up on: a result read ahead into a buffer, where waiting for the next one did
    # not see it, had every second post wait out its budget and go to a new child.
    assert here == []
    assert child_processes() <= before


def test_small_posts_sent_ahead_are_never_waited_out(settings):
    # Two short results can be in the pipe at once: each must be read when it is there.
    settings.BYLINE_MARKDOWN_CPU_SECONDS = 0.05  # so a wait that misses one ends within 3 s
    texts = [f"Post *{number}*." for number in range(200)]
    here = []

    def render_here(text):
        here.append(text)
        return convert_markdown(text)

    assert parsed(ParsePool(1, "render", here=render_here), texts) == [
        convert_markdown(text) for text in texts
    ]
    assert here == []


def test_a_child_that_cannot_be_set_up_is_stopped_and_the_posts_are_parsed_here():
    before = child_processes()
    here = []

    def render_here(text):
        here.append(text)
        return convert_markdown(text)

    # The set-up task is given no arguments: it fails in the child, which dies.
    pool = ParsePool(1, "render", setup=("wordpress-setup",), here=render_here)
    texts = [f"Post *{number}*." for number in range(5)]

    assert parsed(pool, texts) == [convert_markdown(text) for text in texts]
    assert here == texts
    assert pool.failed_starts == STARTS_TO_FAIL  # then it stopped trying
    assert child_processes() <= before  # no child left behind


def test_a_post_that_fails_here_too_fails_alone():
    def fails_on_two(text):
        if text == "two":
            raise ValueError("cannot parse two")
        return text.upper()

    # No child can start (no set-up works), so every post is parsed here.
    pool = ParsePool(1, "render", setup=("wordpress-setup",), here=fails_on_two)
    outcomes = parsed(pool, ["one", "two", "three"])

    assert outcomes[0] == "ONE" and outcomes[2] == "THREE"
    assert isinstance(outcomes[1], ValueError) and "cannot parse two" in str(outcomes[1])


def test_a_post_that_cannot_be_sent_fails_alone():
    texts = ["one", lambda: "a function cannot be pickled", "three"]
    outcomes = parsed(ParsePool(1, "render"), texts)

    assert outcomes[0] == convert_markdown("one") and outcomes[2] == convert_markdown("three")
    assert isinstance(outcomes[1], Exception)
