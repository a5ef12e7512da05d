"""The tag field's text: tags separated by commas, where any name comes back as it was.

django-taggit's own pair (TAGGIT_TAGS_FROM_STRING and TAGGIT_STRING_FROM_TAGS name these
instead, in config/settings.py) splits on spaces when there is no comma, and quotes a name
with a space without escaping the quotes in it: `the "best" soil` shown in the form becomes
four tags on the next save. Here a name holding a comma, a quote or a space is quoted, its
quotes doubled (as in CSV), and only commas outside quotes separate names. The post form's
tag suggestions (admin/js/post-writing.js) write names the same way.
"""

NEEDS_QUOTES = frozenset(', "')


def quoted(name):
    if NEEDS_QUOTES.isdisjoint(name):
        return name
    return '"' + name.replace('"', '""') + '"'


def string_from_tags(tags):
    return ", ".join(quoted(name) for name in sorted(tag.name for tag in tags))


def tags_from_string(text):
    """The names in `text`, sorted, without repeats. A quote opens a quoted name only at the
    start of one; elsewhere it is part of the name (`5" pots`)."""
    names, current, in_quotes, i = [], [], False, 0
    text = text or ""
    while i < len(text):
        char = text[i]
        if in_quotes:
            if char == '"' and text[i + 1 : i + 2] == '"':
                current.append('"')
                i += 1
            elif char == '"':
                in_quotes = False
            else:
                current.append(char)
        elif char == '"' and not "".join(current).strip():
            current, in_quotes = [], True
        elif char == ",":
            names.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    names.append("".join(current))
    return sorted({name.strip() for name in names if name.strip()})
