"""A progress bar for long imports, on a management command's standard error."""

import time


class Progress:
    """`with Progress(total, command.stderr) as bar: … bar.advance()`. Shown only for long runs
    on a terminal, so logs and tests see just the messages written through `write`."""

    def __init__(self, total, stream, minimum=50):
        self.total, self.done, self.stream = total, 0, stream
        self.shown = total >= minimum and stream.isatty()
        self.started = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.shown:
            self.stream.write("")

    def advance(self):
        self.done += 1
        if self.shown and (self.done % 25 == 0 or self.done == self.total):
            rate = self.done / max(time.monotonic() - self.started, 1e-9)
            bar = ("#" * int(30 * self.done / self.total)).ljust(30, "-")
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} files, {rate:.0f}/s", ending="")
            self.stream.flush()

    def write(self, message):
        """A message on a line of its own, above the bar."""
        if self.shown:
            self.stream.write("\r\033[K", ending="")
        self.stream.write(message)
