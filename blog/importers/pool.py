"""Parsing imported posts in other processes while this one saves the ones parsed before: a
Markdown file read and rendered (markdown_files), a WordPress post converted to Markdown and
rendered (wordpress). Each process is a render_limits.BoundedProcess that runs the work itself,
within a budget of CPU time per post, and is stopped when a post overruns it."""

import collections
import concurrent.futures
import queue
import sys
import threading

from django.conf import settings

from blog.render_limits import BoundedProcess, load_task, message

# Posts handed to the processes ahead of the one the caller takes: enough to keep them busy
# while the caller saves a batch, few enough that a large import is never all in memory.
AHEAD = 250
# A post's budget of CPU time in a child, in Markdown render budgets
# (settings.BYLINE_MARKDOWN_CPU_SECONDS): its body and FAQ answers are rendered, and it is read
# or converted. A post over it is parsed again here, each render on its own budget, so the
# refusal names the text.
POST_BUDGET = 4
# A post whose message (render_limits.message) is up to this size, and half the pipe's, is sent
# to its child while the child still parses the one before: it must fit in the pipe whole, or
# it would wait for the child to read it while the child waits to write its result.
SEND_AHEAD_BYTES = 32 * 1024
# The interpreter's switch interval while a pool runs (Python's default: 5 ms). A feeding thread
# whose child has sent a result waits that long for the saving thread to let go of the GIL
# before it can read it, and hand the child the post after the one it parses: 10,000 files
# took 77.4 and 80.9 s with the default and 73.5 and 69.5 s with this (2 CPUs, one child).
SWITCH_INTERVAL = 0.0005
# Children that could not be started (or set up) before a pool gives up starting them and
# parses every post here.
STARTS_TO_FAIL = 2
_CLOSED = object()


class ParsePool:
    """`workers` child processes that run render_limits.TASKS[`task`] on what submit() is given,
    each fed by a thread that keeps the next post waiting in the child's pipe: the child never
    waits for this process (waking a waiting process cost more than a millisecond a post here).
    `setup` (a TASKS name and its arguments) is run first in each child: what every post needs,
    sent once. A post whose child overruns its budget or dies is parsed here by `here` (the
    task's function unless given; without a budget of its own, so one that renders in a
    process of its own, as saving.prepare does here), and the next goes to a new child."""

    def __init__(self, workers, task, setup=None, here=None):
        self.task, self.setup = task, setup
        self.here = here or load_task(task)
        self.failed_starts = 0
        self.tasks = queue.SimpleQueue()
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(SWITCH_INTERVAL, self.switch_interval))
        self.threads = [threading.Thread(target=self._feed, daemon=True) for _ in range(workers)]
        for thread in self.threads:
            thread.start()

    def submit(self, *args):
        """A future of TASKS[task](*args)."""
        future = concurrent.futures.Future()
        try:
            self.tasks.put((future, args, message(self.task, *args)))
        except Exception as problem:  # it cannot be sent (pickled): it fails alone
            future.set_exception(problem)
        return future

    def close(self):
        """Stop the threads and their children; posts not yet parsed are not (the caller has
        stopped reading)."""
        while True:
            try:
                future, *_ = self.tasks.get_nowait()
            except queue.Empty:
                break
            future.cancel()
        for _ in self.threads:
            self.tasks.put(_CLOSED)
        for thread in self.threads:
            thread.join()
        sys.setswitchinterval(self.switch_interval)

    def _run_here(self, future, args):
        try:
            future.set_result(self.here(*args))
        except Exception as problem:  # the caller says why, for this post alone
            future.set_exception(problem)

    def _start(self, seconds):
        """A child, set up; after STARTS_TO_FAIL failures, none (RuntimeError)."""
        if self.failed_starts >= STARTS_TO_FAIL:
            raise RuntimeError("The parsing processes could not be started.")
        child = None
        try:
            child = BoundedProcess(preload=[self.task])
            if self.setup is not None:
                child.call(*self.setup, seconds=seconds)
        except Exception:
            self.failed_starts += 1
            _stopped(child)
            raise
        return child

    def _feed(self):
        """A thread's loop: up to two posts in its child (one parsed, one waiting in the pipe),
        results handed back in order. Should the loop itself fail, the posts it holds fail
        with that error and the thread parses the rest here: the caller never waits forever."""
        child, sent, taken, open_ = None, collections.deque(), collections.deque(), True
        current = None  # the post being handed back, in neither deque meanwhile
        try:
            seconds = POST_BUDGET * settings.BYLINE_MARKDOWN_CPU_SECONDS
            while open_ or sent or taken:
                # Take posts until two are in hand, waiting only while none is.
                while open_ and len(sent) + len(taken) < 2:
                    try:
                        task = self.tasks.get(block=not (sent or taken))
                    except queue.Empty:
                        break
                    if task is _CLOSED:
                        open_ = False
                    else:
                        taken.append(task)
                # Send them: the second only if it fits in the pipe while the child works.
                while taken and (not sent or _fits(taken[0][2], child)):
                    current = taken.popleft()
                    try:
                        child = child or self._start(seconds)
                        child.send_message(current[2])
                    except Exception:  # it died, or did not start
                        if sent:  # it died with a post in it: reading that post's result says so
                            taken.appendleft(current)
                            current = None
                            break
                        child = _stopped(child)
                        self._run_here(*current[:2])
                        current = None
                        continue
                    sent.append(current)
                    current = None
                if not sent:
                    continue
                current = sent.popleft()
                try:
                    current[0].set_result(child.result(seconds))
                except Exception:  # OutOfTime, RecursionError, or it died (OSError, EOFError…)
                    child = _stopped(child)
                    taken.extendleft(reversed(sent))  # lost with it: to the next child
                    sent.clear()
                    self._run_here(*current[:2])
                current = None
        except Exception as problem:
            child = _stopped(child)
            for future, *_ in filter(None, (current, *sent, *taken)):
                if not future.done():
                    future.set_exception(problem)
            while open_ and (task := self.tasks.get()) is not _CLOSED:
                self._run_here(*task[:2])
        finally:
            _stopped(child)


def _fits(data, child):
    """Whether message `data` may wait in `child`'s pipe: it must fit whole, with room to
    spare (a new pipe holds 4 KiB instead of 64 once a user has many)."""
    return len(data) <= min(SEND_AHEAD_BYTES, child.pipe_bytes // 2)


def _stopped(child):
    """Stop `child` (None for no child) and close its pipes, even if it is already dead;
    returns None, the child that is left."""
    if child is not None:
        child.stop()


def in_order(pool, items, submit):
    """(item, outcome) for each of `items`, in order: submit(pool, item) gives its future (or
    an outcome at once, an exception say), taken AHEAD items before it is needed; an outcome
    that raises is the exception. The pool is closed at the end, or when the caller stops."""
    try:
        parsing = collections.deque()
        for item in items:
            parsing.append((item, submit(pool, item)))
            if len(parsing) >= AHEAD:
                yield _outcome(*parsing.popleft())
        while parsing:
            yield _outcome(*parsing.popleft())
    finally:
        pool.close()


def _outcome(item, outcome):
    if isinstance(outcome, concurrent.futures.Future):
        try:
            outcome = outcome.result()
        except Exception as problem:  # not parsed: say why, for this post alone
            outcome = problem
    return item, outcome
