"""The post form's editing aids: autosaved drafts offered back when the form opens, and who else
has the post open. Their endpoints answer static/admin/js/post-editing.js in JSON, and check what
the form itself checks: changing that post, or adding one."""

import json
import re
from functools import wraps

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format

from accounts.middleware import not_activity
from blog.models import EditorDraft, EditorPresence
from blog.models import editing as editing_models
from blog.models.editing import DraftRefused

# A new post's form names its draft with a key of its own making (hex, see post-editing.js).
DRAFT_KEY = re.compile(r"[0-9a-f]{16,40}")


class MethodNotAllowed(Exception):
    pass


def json_endpoint(*methods):
    """An editing endpoint (a ModelAdmin method): only `methods`, and every refusal answered in
    JSON."""

    def decorate(view):
        @wraps(view)
        def wrapped(model_admin, request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise MethodNotAllowed
                return view(model_admin, request, *args, **kwargs)
            except MethodNotAllowed:
                response = JsonResponse({"error": f"Use {' or '.join(methods)}."}, status=405)
                response["Allow"] = ", ".join(methods)
                return response
            except Http404:
                return JsonResponse({"error": "There is no such post."}, status=404)
            except PermissionDenied:
                return JsonResponse({"error": "You may not edit this post."}, status=403)
            except DraftRefused as refused:
                return JsonResponse({"error": str(refused)}, status=refused.status)

        return wrapped

    return decorate


def _payload(request):
    """The JSON object a request carries; a body larger than a post form can make is refused
    before it is read."""
    # The body at its limit, in four-byte characters, and as much again for everything else.
    limit = 8 * settings.BYLINE_MARKDOWN_MAX_CHARS
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise DraftRefused(f"The form is too large to autosave ({length:,} bytes).", status=413)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nested deeper than json parses
        raise DraftRefused("The request is not JSON.") from None
    if not isinstance(payload, dict):
        raise DraftRefused("The request is not a JSON object.")
    return payload


def _draft_key(value):
    if not isinstance(value, str) or not DRAFT_KEY.fullmatch(value):
        raise DraftRefused("A new post's draft needs the key its form made.")
    return value


def _shown(moment, format_name="TIME_FORMAT"):
    return date_format(timezone.localtime(moment), format_name)


def _saved(draft):
    return {"saved": draft.updated_at.isoformat(), "saved_display": _shown(draft.updated_at)}


def _offered(draft, post=None, prefix=""):
    """A draft as the form offers it back (its key as the form made it: without `prefix`)."""
    if draft is None:
        return None
    return {
        "key": draft.key.removeprefix(prefix),
        "fields": draft.fields,
        "updated_at": draft.updated_at.isoformat(),
        "when": _shown(draft.updated_at, "DATETIME_FORMAT"),
        "post_changed_since": bool(post and post.updated_at > draft.updated_at),
    }


class PostEditingMixin:
    """Mixed into PostAdmin."""

    def get_urls(self):
        def view(method):
            return self.admin_site.admin_view(method)

        return [
            path("<int:pk>/draft/", view(self.draft_view), name=self.url_name("draft")),
            path(
                "<int:pk>/draft/discard/",
                view(self.discard_draft_view),
                name=self.url_name("draft_discard"),
            ),
            path("add/draft/", view(self.new_draft_view), name=self.url_name("new_draft")),
            path(
                "add/draft/discard/",
                view(self.discard_new_draft_view),
                name=self.url_name("new_draft_discard"),
            ),
            path("<int:pk>/presence/", view(self.presence_view), name=self.url_name("presence")),
            path(
                "<int:pk>/presence/leave/",
                view(self.leave_view),
                name=self.url_name("presence_leave"),
            ),
            *super().get_urls(),
        ]

    @property
    def media(self):
        return super().media + forms.Media(
            css={"all": ["admin/css/post-editing.css"]}, js=["admin/js/post-editing.js"]
        )

    def _editable_post(self, request, pk):
        """The post, if `request.user` may change it through the form: else 404 for a post they
        may not see, 403 for one they may only see."""
        post = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        return post

    # Marks the drafts of a new page apart from those of a new post, whose forms make keys
    # alike (hexadecimal), so the page form never offers a post's words back (PageAdmin).
    new_draft_prefix = ""

    def _new_draft_key(self, value):
        key = f"{self.new_draft_prefix}{_draft_key(value)}"
        if len(key) > EditorDraft._meta.get_field("key").max_length:
            raise DraftRefused("A new page's draft needs the key its form made.")
        return key

    def _may_add(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied

    # Drafts --------------------------------------------------------------------------------

    @json_endpoint("GET", "POST")
    def draft_view(self, request, pk):
        post = self._editable_post(request, pk)
        if request.method == "POST":
            fields = _payload(request).get("fields")
            return JsonResponse(_saved(EditorDraft.keep(request.user, fields, post=post)))
        draft = EditorDraft.objects.of(request.user, post).first()
        return JsonResponse({"draft": _offered(draft, post)})

    @json_endpoint("POST")
    def discard_draft_view(self, request, pk):
        EditorDraft.discard(request.user, self._editable_post(request, pk))
        return JsonResponse({"discarded": True})

    @json_endpoint("GET", "POST")
    def new_draft_view(self, request):
        self._may_add(request)
        if request.method == "POST":
            payload = _payload(request)
            key = self._new_draft_key(payload.get("key"))
            draft = EditorDraft.keep(request.user, payload.get("fields"), key=key)
            return JsonResponse(_saved(draft))
        key = self._new_draft_key(request.GET.get("key"))
        draft = EditorDraft.objects.of(request.user, key=key).first()
        return JsonResponse({"draft": _offered(draft, prefix=self.new_draft_prefix)})

    @json_endpoint("POST")
    def discard_new_draft_view(self, request):
        self._may_add(request)
        EditorDraft.discard(request.user, key=self._new_draft_key(_payload(request).get("key")))
        return JsonResponse({"discarded": True})

    # Saving through the form discards the draft. The admin logs an addition or a change only
    # once the form's save went through, whichever button saved it.

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        key = request.POST.get("_draft_key", "")
        if DRAFT_KEY.fullmatch(key):
            EditorDraft.discard(request.user, key=self._new_draft_key(key))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        EditorDraft.discard(request.user, obj)
        return entry

    # Presence ------------------------------------------------------------------------------

    @json_endpoint("POST")
    def presence_view(self, request, pk):
        not_activity(request)  # sent every few seconds by an open form, even one left alone
        others = EditorPresence.heartbeat(request.user, self._editable_post(request, pk))
        return JsonResponse(
            {
                "others": [
                    {
                        "name": other.user.name,
                        "since": other.since.isoformat(),
                        "since_display": _shown(other.since),
                    }
                    for other in others
                ]
            }
        )

    @json_endpoint("POST")
    def leave_view(self, request, pk):
        not_activity(request)
        EditorPresence.leave(request.user, self._editable_post(request, pk))
        return JsonResponse({"left": True})

    # The form ------------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["post_editing"] = self._editing_context(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _editing_context(self, request, post):
        """What post-editing.js needs on this form: nothing where the user may not edit."""
        if post is None:
            if not self.has_add_permission(request):
                return None
            return {
                "draft_url": self.admin_url("new_draft"),
                "discard_url": self.admin_url("new_draft_discard"),
                "draft": _offered(
                    EditorDraft.objects.newest_new_post(request.user, self.new_draft_prefix),
                    prefix=self.new_draft_prefix,
                ),
            }
        if not self.has_change_permission(request, post):
            return None
        return {
            "draft_url": self.admin_url("draft", post.pk),
            "discard_url": self.admin_url("draft_discard", post.pk),
            "presence_url": self.admin_url("presence", post.pk),
            "leave_url": self.admin_url("presence_leave", post.pk),
            "heartbeat_seconds": editing_models.HEARTBEAT_SECONDS,
            "draft": _offered(EditorDraft.objects.of(request.user, post).first(), post),
        }
