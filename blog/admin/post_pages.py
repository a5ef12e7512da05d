"""The post admin's own pages: revisions (compare, restore), the shareable preview, and
imports (the form, and each import job's progress and report)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.csp import csp_override

from blog import revisions
from blog.forms import ImportForm
from blog.models import ImportJob
from blog.models.content import EditConflict
from blog.views import PostPreviewView


class PostPagesMixin:
    """Mixed into PostAdmin."""

    def get_urls(self):
        return [
            path(
                "<int:pk>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name=self.url_name("revisions"),
            ),
            path(
                "<int:pk>/revisions/<int:number>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=self.url_name("restore"),
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="blog_post_import"),
            path(
                "import/<int:pk>/",
                self.admin_site.admin_view(self.import_job_view),
                name="blog_post_import_job",
            ),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name=self.url_name("preview"),
            ),
            *super().get_urls(),
        ]

    def _post_for(self, request, pk, permission):
        post = get_object_or_404(self.get_queryset(request), pk=pk)
        if not permission(request, post):
            raise PermissionDenied
        return post

    def has_import_permission(self, request):
        # Imported posts carry their own bylines, so importing is an Editor's job.
        return request.user.has_perms(["blog.add_post", "blog.edit_any_post"])

    def import_view(self, request):
        """The import form, which queues a job and goes to its page, and the recent jobs."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            job = form.save(by=request.user)
            return HttpResponseRedirect(reverse("admin:blog_post_import_job", args=[job.pk]))
        return TemplateResponse(
            request,
            "admin/blog/post/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Import posts",
                "form": form,
                "jobs": ImportJob.objects.recent(),
            },
        )

    def import_job_view(self, request, pk):
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob.objects.select_related("started_by"), pk=pk)
        return TemplateResponse(
            request,
            "admin/blog/post/import_job.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"Import of {job.file_name}",
                "job": job,
            },
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def revisions_view(self, request, pk):
        post = self._post_for(request, pk, self.has_view_permission)
        history = list(post.revisions.select_related("by"))
        newest = history[0].number if history else None
        older = history[1].number if len(history) > 1 else newest
        a = _int(request.GET.get("a"), older)
        b = _int(request.GET.get("b"), newest)
        by_number = {revision.number: revision for revision in history}
        old, new = by_number.get(a), by_number.get(b)
        if history and (old is None or new is None):
            raise Http404("No such revision.")
        return TemplateResponse(
            request,
            "admin/blog/post/revisions.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "post": post,
                "title": f"Revisions of “{post}”",
                "history": history,
                "old": old,
                "new": new,
                "diff": revisions.diff_rows(old.shown_data(), new.shown_data())
                if old and new
                else [],
                "can_restore": self.has_change_permission(request, post),
            },
        )

    def restore_view(self, request, pk, number):
        post = self._post_for(request, pk, self.has_change_permission)
        revision = get_object_or_404(post.revisions, number=number)
        if request.method != "POST":
            return HttpResponseRedirect(self.admin_url("revisions", pk))
        try:
            # Based on the version the revisions page showed: a restore never undoes a save
            # its editor did not see.
            revision.restore(by=request.user, based_on=_int(request.POST.get("version"), 0))
        except (ValidationError, EditConflict) as problem:
            reason = (
                " ".join(problem.messages)
                if isinstance(problem, ValidationError)
                else f"the post was saved since this page was opened (by {', '.join(problem.by)}). "
                "Look at its revisions again, then restore."
            )
            self.message_user(
                request, f"Revision {number} was not restored: {reason}", messages.ERROR
            )
            return HttpResponseRedirect(self.admin_url("revisions", pk))
        self.message_user(request, f"Restored revision {number} of “{post}”.")
        return HttpResponseRedirect(self.admin_url("change", pk))

    def preview_view(self, request, pk):
        post = self._post_for(request, pk, self.has_view_permission)
        # The post as readers will see it, under the public site's policy (no script at all),
        # not the admin's: a contributor's draft is what an editor opens here.
        view = csp_override(settings.SECURE_CSP)(PostPreviewView.as_view(preview_post=post))
        return view(request)


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
