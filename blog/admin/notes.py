"""Editorial notes in the admin: a post's threads of notes, on a page of the post's own, for
whoever may see the post there (blog/models/notes.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path

from blog.models.notes import MAX_NOTE_LENGTH, EditorialNote


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note",
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen only by those who may open this post in the admin, never by readers. "
        "@username tells someone by email.",
    )
    thread = forms.IntegerField(required=False, widget=forms.HiddenInput)


class NotesMixin:
    """Mixed into PostAdmin: /admin/blog/post/<pk>/notes/."""

    def get_urls(self):
        return [
            path(
                "<int:pk>/notes/",
                self.admin_site.admin_view(self.notes_view),
                name=self.url_name("notes"),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        open_notes = (
            EditorialNote.objects.filter(post_id=object_id, thread=None, resolved_at=None).count()
            if str(object_id).isdigit()
            else 0
        )
        extra_context = {**(extra_context or {}), "open_notes": open_notes}
        return super().change_view(request, object_id, form_url, extra_context)

    def notes_view(self, request, pk):
        post = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, post):
            raise PermissionDenied
        notes = list(EditorialNote.objects.threads(post))
        form = NoteForm()
        if request.method == "POST":
            if "resolve" in request.POST:
                return self._resolve(request, post, notes)
            form = NoteForm(request.POST)
            if form.is_valid():
                thread = None
                if form.cleaned_data["thread"]:
                    thread = next((n for n in notes if n.pk == form.cleaned_data["thread"]), None)
                    if thread is None:
                        raise PermissionDenied  # not a note of this post
                note = EditorialNote.write(
                    post,
                    request.user,
                    form.cleaned_data["body"],
                    thread,
                    may_see=post.is_visible_in_admin_to,
                )
                told = ", ".join(person.name for person in note.mentioned.all())
                messages.success(
                    request, f"Note added; {told} will hear of it." if told else "Note added."
                )
                return HttpResponseRedirect(f"{request.path}#note-{note.pk}")
        threads = [note for note in notes if note.thread_id is None]
        replies = {}
        for note in notes:
            if note.thread_id:
                replies.setdefault(note.thread_id, []).append(note)
        return TemplateResponse(
            request,
            "admin/blog/post/notes.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "post": post,
                "title": f"Notes on “{post}”",
                "threads": [(note, replies.get(note.pk, [])) for note in threads],
                "open_count": sum(not note.resolved for note in threads),
                "form": form,
                "may_resolve": self.has_change_permission(request, post),
            },
        )

    def _resolve(self, request, post, notes):
        note = next((n for n in notes if str(n.pk) == request.POST.get("resolve")), None)
        if note is None:
            raise PermissionDenied
        if not (self.has_change_permission(request, post) or note.author == request.user):
            raise PermissionDenied
        thread = note.resolve(by=request.user)
        messages.success(request, "Thread resolved." if thread.resolved else "Thread reopened.")
        return HttpResponseRedirect(self.admin_url("notes", post.pk))
