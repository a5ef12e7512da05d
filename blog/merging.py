"""Three-way merges of a post's content (as Post.content gives it): what a save based on an older
version keeps of what was saved since, and where the two clash.

Base is the content the editor loaded, theirs what is stored now, mine what the editor saves. A
field changed on one side only takes that side; changed alike on both, fine; changed differently,
a conflict. The body is merged line by line and FAQs and references row by row (diff3, by
merge3); tags and topics as sets (each side's additions and removals; topics keep their order,
the first being the primary one); the rest field by field.
Pure functions over content dicts: no database.
"""

from dataclasses import dataclass, field

import merge3

from blog.revisions import FIELDS

# Where the base is not known (a field no revision keeps, a post saved before versions were
# kept), any difference between the two sides is a conflict.
UNKNOWN = object()

LABELS = {
    **dict(FIELDS),
    "featured_image_alt": "Featured image alt text",
    "canonical_url": "Canonical URL",
    "noindex": "Hide from search engines",
    "planned_for": "Planned for",
}


@dataclass
class Hunk:
    """One place where the two sides clash: theirs and mine there (lines of the body, rows,
    or a whole value), and the line before it, to find it by."""

    theirs: list
    mine: list
    before: str = ""


@dataclass
class Conflict:
    key: str
    theirs: object
    mine: object
    hunks: list = field(default_factory=list)

    @property
    def label(self):
        return LABELS.get(self.key, self.key)


@dataclass
class Merge:
    """The merged content (where the sides clash, mine), the keys their changes came into,
    the conflicts, and (set by the caller) who saved theirs."""

    content: dict
    taken: list
    conflicts: list
    by: list = field(default_factory=list)

    @property
    def clean(self):
        return not self.conflicts

    def labels(self):
        return [LABELS.get(key, key) for key in self.taken]


def merge(base, theirs, mine):
    """Merge `mine` into `theirs` three ways over `base` (None when not known)."""
    result = Merge({}, [], [])
    for key in dict.fromkeys([*theirs, *mine]):
        if key not in mine:
            result.content[key] = theirs[key]
            continue
        if key not in theirs:
            result.content[key] = mine[key]
            continue
        old = UNKNOWN if base is None else base.get(key, UNKNOWN)
        value, taken, conflict = MERGERS.get(key, _merge_value)(key, old, theirs[key], mine[key])
        result.content[key] = value
        if conflict is not None:
            result.conflicts.append(conflict)
        elif taken:
            result.taken.append(key)
    return result


def _merge_value(key, base, theirs, mine):
    """(value, whether theirs came in, conflict or None) for a field merged whole."""
    if theirs == mine:
        return mine, False, None
    if base is not UNKNOWN:
        if mine == base:
            return theirs, True, None
        if theirs == base:
            return mine, False, None
    return mine, False, Conflict(key, theirs, mine, [Hunk([theirs], [mine])])


def _merge_set(key, base, theirs, mine):
    if base is UNKNOWN:
        return _merge_value(key, base, sorted(theirs), sorted(mine))
    base, theirs, mine = set(base), set(theirs), set(mine)
    merged = (base & theirs & mine) | (theirs - base) | (mine - base)
    return sorted(merged), merged != mine, None


def _merge_ordered_set(key, base, theirs, mine):
    """As _merge_set, keeping the order of `mine` (the first topic is the primary one), then
    what `theirs` added."""
    if base is UNKNOWN:
        same = set(theirs) == set(mine)
        return (mine, False, None) if same else _merge_value(key, base, theirs, mine)
    merged_set = _merge_set(key, base, theirs, mine)[0]
    merged = [value for value in dict.fromkeys([*mine, *theirs]) if value in merged_set]
    return merged, merged != list(mine), None


def _merge_text(key, base, theirs, mine):
    theirs, mine = _newlines(theirs), _newlines(mine)
    if base is UNKNOWN or theirs == mine:
        value, taken, conflict = _merge_value(key, base, theirs, mine)
        return value.rstrip("\n"), taken, conflict
    base = _newlines(base)
    merged, hunks = _merge_sequences(
        base.splitlines(keepends=True),
        theirs.splitlines(keepends=True),
        mine.splitlines(keepends=True),
    )
    text = "".join(merged)
    conflict = Conflict(key, theirs, mine, hunks) if hunks else None
    return text.rstrip("\n"), text != mine, conflict


def _merge_rows(key, base, theirs, mine):
    if base is UNKNOWN:
        value, taken, conflict = _merge_value(key, base, theirs, mine)
        if conflict is not None:
            conflict.hunks = [Hunk(theirs, mine)]
        return value, taken, conflict
    merged, hunks = _merge_sequences(*(_hashable(rows) for rows in (base, theirs, mine)))
    rows = [dict(row) for row in merged]
    conflict = None
    if hunks:
        hunks = [Hunk([dict(r) for r in h.theirs], [dict(r) for r in h.mine]) for h in hunks]
        conflict = Conflict(key, theirs, mine, hunks)
    return rows, rows != mine, conflict


def _merge_sequences(base, theirs, mine):
    """diff3 of three sequences: the merged sequence (mine where they clash) and the hunks."""
    merged, hunks = [], []
    for kind, *parts in merge3.Merge3(base, mine, theirs).merge_groups():
        if kind == "conflict":
            _, mine_part, theirs_part = parts
            lines = (item for item in reversed(merged) if isinstance(item, str) and item.strip())
            before = next(lines, "").rstrip("\n")
            hunks.append(Hunk(list(theirs_part), list(mine_part), before))
            merged.extend(mine_part)
        else:
            merged.extend(parts[0])
    return merged, hunks


def _hashable(rows):
    return [tuple(sorted(row.items())) for row in rows]


def _newlines(text):
    """Text with the line ends of one system, and a last one: a browser sends CR LF, and the
    form strips the last line end, which would count as a change of the last line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") + "\n"


MERGERS = {
    "body": _merge_text,
    "tags": _merge_set,
    "topics": _merge_ordered_set,
    "faqs": _merge_rows,
    "references": _merge_rows,
}
