"""Front matter: YAML between --- lines or TOML between +++ lines, and the values in it.

Parsing refuses what could hurt (YAML aliases that expand to gigabytes) and every value of the
wrong kind with a reason, as ImportProblem.
"""

import datetime as dt
import re
import tomllib

import yaml
from django.utils import timezone

from blog.importers.records import ImportProblem, web_url, year
from blog.workflow import Status


def split_front_matter(text):
    """(front-matter dict, body) for YAML between --- lines or TOML between +++ lines."""
    for fence, parse in (("---", _parse_yaml), ("+++", _parse_toml)):
        if text.startswith(fence + "\n"):
            end = re.search(rf"^{re.escape(fence)}\s*$", text[len(fence) + 1 :], re.M)
            if end is None:
                raise ImportProblem(f"the front matter opened with {fence} is never closed")
            start = len(fence) + 1
            return parse(text[start : start + end.start()]), text[start + end.end() :]
    return {}, text


# libyaml's parser where PyYAML was built with it (as its wheels are): the front matter of a
# typical file in 0.09 ms instead of 0.7.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(source):
    try:
        loader = _LOADER(source)
        try:
            node = loader.get_single_node()
            _refuse_aliases(node)
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ImportProblem(f"the YAML front matter is invalid{where}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ImportProblem("the YAML front matter is not a set of key: value pairs")
    return data


def _refuse_aliases(node):
    """YAML without aliases (*name): a few bytes of them can expand to gigabytes. The parsed
    nodes are a tree where an alias is a node met twice; the values are built only after."""
    seen, waiting = set(), [node] if node is not None else []
    while waiting:
        node = waiting.pop()
        if id(node) in seen:
            raise ImportProblem(
                "the YAML front matter uses aliases (*name), which are not accepted"
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            waiting += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            waiting += node.value


def _parse_toml(source):
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise ImportProblem(f"the TOML front matter is invalid: {error}") from None


def scalar(value, field):
    """A text value; a list or mapping where text belongs is refused with a reason."""
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        raise ImportProblem(f"“{field}” should be text, not {type(value).__name__}")
    return str(value).strip()


def words(value, field):
    """Words from a comma-separated text or a list of words (numbers are fine too)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int | float):
        return [str(value)]
    if isinstance(value, list | tuple):
        words = []
        for item in value:
            if item is None or item == "":
                continue
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise ImportProblem(f"“{field}” should be a list of words; {item!r} is not one")
            words.append(str(item).strip())
        return [word for word in words if word]
    raise ImportProblem(f"“{field}” should be a list of words, not {type(value).__name__}")


def moment(value):
    """A publish time from a date, a datetime or text; naive times are in TIME_ZONE."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(9, 0))
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ImportProblem(f"“{value}” is not a date (use 2024-05-01 or ISO 8601)") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def author_names(value):
    """Names from a name, a list of names, or {name: …} mappings (as Hugo and others write)."""
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, list):
        return [
            scalar(item.get("name"), "author name") if isinstance(item, dict) else
            scalar(item, "author")
            for item in value
            if item not in (None, "")
        ]  # fmt: skip
    return words(value, "author")


def faqs(value):
    """FAQs given in front matter (as export_posts writes them): [{question, answer}]."""
    if not isinstance(value, list):
        return []
    return [
        (str(entry["question"]).strip(), str(entry.get("answer", "")).strip())
        for entry in value
        if isinstance(entry, dict) and entry.get("question")
    ]


def references(value):
    if not isinstance(value, list):
        return []
    return [
        {
            "title": str(entry.get("title") or entry.get("url") or "").strip(),
            "publisher": str(entry.get("publisher") or "").strip(),
            "year": year(entry.get("year")),
            "url": web_url(str(entry.get("url") or "").strip()),
        }
        for entry in value
        if isinstance(entry, dict) and (entry.get("title") or entry.get("url"))
    ]


# Status words other tools write, and Byline's own.
STATUS_WORDS = {
    **{status.value: status for status in Status},
    "pending": Status.IN_REVIEW,
    "in review": Status.IN_REVIEW,
    "publish": Status.PUBLISHED,
}


def status(meta):
    """The Status a file asks for (`draft: true` or `status:`), or None."""
    draft = meta.get("draft")
    if draft is True or str(draft).lower() in {"true", "yes"}:
        return Status.DRAFT
    return STATUS_WORDS.get(scalar(meta.get("status"), "status").lower())
