"""Values a process remembers for the content version they were read at.

Everything the public sees moves the content generation when it changes (blog/apps.py), so a
value read from the database (the affiliate rules, the site's disclosure, a tag by its slug, a
sponsored link) stays right until the generation moves, and is read again then. Each memo keeps
at most `kept` values, so made-up keys cannot grow a worker's memory.
"""


class VersionMemo:
    """`get(key, find)`: find(key) once per content generation, or per content version (the
    generation and the go-live times passed: for what a scheduled post going live changes)."""

    def __init__(self, per="generation", kept=2000):
        self.per, self.kept = per, kept
        self.version, self.found = None, {}

    def _current_version(self):
        # Imported here: blog.content_version needs the models, which render with these memos.
        from blog.content_version import content_generation, content_version

        return content_generation() if self.per == "generation" else content_version()

    def get(self, key, find):
        """find(key), remembered; a find that raises (say Http404) remembers nothing."""
        version = self._current_version()
        if version != self.version:
            self.version, self.found = version, {}
        if key not in self.found:
            value = find(key)
            if len(self.found) >= self.kept:
                self.found.clear()
            self.found[key] = value
        return self.found[key]

    def get_many(self, keys, find_many):
        """{key: value} for `keys`; those not remembered come from find_many(missing keys),
        a dict (a key it leaves out is remembered as None), in one call."""
        version = self._current_version()
        if version != self.version:
            self.version, self.found = version, {}
        missing = [key for key in keys if key not in self.found]
        if missing:
            found = find_many(missing)
            if len(self.found) + len(missing) > self.kept:
                self.found.clear()
            self.found.update({key: found.get(key) for key in missing})
        return {key: self.found[key] for key in keys}

    def forget(self, **kwargs):
        """Read everything again (a change made in this process; a signal receiver)."""
        self.version, self.found = None, {}
