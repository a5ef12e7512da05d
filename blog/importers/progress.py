"""How far a long import has gone: a progress bar on a management command's standard error
(here), or the admin's import job row (blog.models.imports.JobProgress). An importer calls
`expect(total)` when it knows the number of files, `advance()` after each, `write(message)`."""

import time


class Progress:
    """`with Progress(total, command.stderr) as bar: … bar.advance()`. Shown only for long runs
    on a terminal, so logs and tests see just the messages written through `write`."""

    def __init__(self, total, stream, minimum=50):
        self.done, self.stream, self.minimum = 0, stream, minimum
        self.expect(total)
        self.started = time.monotonic()

    def expect(self, total):
        """The number of files, once the reader knows it (a WordPress export's items)."""
        self.total = total
        self.shown = total >= self.minimum and self.stream.isatty()

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
