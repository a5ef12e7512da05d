"""The post form saved after someone else saved the post: merged, or shown again with the
conflicts (see Post.save_with_history and blog/merging.py)."""

import datetime as dt
import json

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list
from taggit.utils import edit_string_for_tags

from blog.merging import Conflict, Hunk
from blog.models import FAQ, Post, PostAuthor, Reference, Topic
from blog.models.content import UNVERSIONED_FIELDS, EditConflict
from blog.workflow import Status

# The inline rows of each part of a post's content.
INLINE_PARTS = {PostAuthor: "authors", FAQ: "faqs", Reference: "references"}


class ConflictMixin:
    """Mixed into PostAdmin."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or not str(object_id or "").isdigit():
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic():
            # The whole request reads the post as the last save left it, and a second save of
            # it waits here until this one is done.
            list(Post.objects.select_for_update().filter(pk=object_id).values_list("pk"))
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except EditConflict as conflict:  # its savepoint is rolled back: nothing written
                request.edit_conflict = conflict
            response = super().changeform_view(request, object_id, form_url, extra_context)
        # 409 Conflict: the form is shown again, but nothing was saved, and a script (or the
        # editor's browser tools) can tell this refusal from a form with a mistake in it.
        response.status_code = 409
        return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        conflict = getattr(request, "edit_conflict", None)
        form.conflict_data = _form_data(conflict) if conflict else None
        return form

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        conflict = getattr(request, "edit_conflict", None)
        part = INLINE_PARTS.get(inline.model)
        if conflict and part and conflict.merge.content[part] == conflict.theirs[part]:
            # Only their side changed these rows (or neither): show them as stored now.
            for key in ("data", "files", "save_as_new"):
                kwargs.pop(key, None)
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        conflict = getattr(request, "edit_conflict", None)
        if conflict:
            context["edit_conflict"] = {
                "by": get_text_list(conflict.by, "and"),
                "conflicts": [_shown(c) for c in _conflicts(conflict)],
                "taken": ", ".join(conflict.merge.labels()),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def merged_message(self, post):
        """What a save merged in from saves made since its form was opened, or ""."""
        merge = post.last_merge
        if merge is None:
            return ""
        who = f"{get_text_list(merge.by, 'and')} saved “{post}” while you were editing it"
        if not merge.taken:
            return f"{who}, changing nothing the form shows: your changes are saved with theirs."
        what = ", ".join(merge.labels()).lower()
        return f"{who}: their changes ({what}) are merged with yours."


def _form_data(conflict):
    """The form's values shown again: where the merge took their changes, theirs; the base
    version moved to the stored one, so a save once the conflicts are settled goes through."""
    theirs = {name: conflict.theirs[name] for name in UNVERSIONED_FIELDS}
    data = {"version": [str(conflict.version)], "loaded": [json.dumps(theirs)]}
    for key, value in conflict.merge.content.items():
        if value == conflict.mine.get(key):
            continue
        if key in (
            "title",
            "seo_title",
            "slug",
            "description",
            "body",
            "featured_image_alt",
            "canonical_url",
        ):
            data[key] = [value]
        elif key == "planned_for":
            data[key] = [value or ""]
        elif key == "noindex":
            data[key] = ["on"] if value else []
        elif key == "tags":
            data[key] = [edit_string_for_tags([_Named(name) for name in value])]
        elif key == "topics":
            topics = Topic.objects.filter(slug__in=value).values_list("pk", flat=True)
            data[key] = [str(pk) for pk in topics]
        elif key == "publish_at":
            moment = timezone.localtime(dt.datetime.fromisoformat(value))
            data["publish_at_0"] = [moment.strftime("%Y-%m-%d")]
            data["publish_at_1"] = [moment.strftime("%H:%M:%S")]
    return data


def _conflicts(conflict):
    """The conflicts, and the inline parts both sides changed without clashing: the form
    shows the editor's rows for those, so their rows are shown beside them."""
    shown = list(conflict.merge.conflicts)
    clashing = {c.key for c in shown}
    for part in INLINE_PARTS.values():
        merged = conflict.merge.content[part]
        if part not in clashing and merged not in (conflict.mine[part], conflict.theirs[part]):
            theirs, mine = conflict.theirs[part], conflict.mine[part]
            shown.append(Conflict(part, theirs, mine, [Hunk(theirs, mine)]))
    return shown


def _shown(conflict):
    """A conflict as the panel shows it: its label, and each hunk's two sides as text."""
    return {
        "label": conflict.label,
        "key": conflict.key,
        "hunks": [
            {
                "before": hunk.before,
                "theirs": _text(conflict.key, hunk.theirs),
                "mine": _text(conflict.key, hunk.mine),
            }
            for hunk in conflict.hunks
        ],
    }


def _text(key, values):
    """One side of a hunk as text: lines of the body, rows, or a value."""
    if key == "body":
        return "".join(values).rstrip("\n") or "(nothing)"
    if key in ("faqs", "references"):
        rows = [" · ".join(str(v) for v in row.values() if v not in (None, "")) for row in values]
        return "\n".join(rows) or "(none)"
    (value,) = values
    if key == "status":
        return Status(value).label
    if key == "publish_at":
        moment = timezone.localtime(dt.datetime.fromisoformat(value))
        return date_format(moment, "DATETIME_FORMAT")
    if key == "noindex":
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    return value or "(empty)"


class _Named:
    def __init__(self, name):
        self.name = name
