"""The admin's forms: the post form and its byline rule, imports, merging tags, and the range
of the click report."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from blog import reports
from blog.models import ImportJob, Post
from blog.uploads import clean_import_file


class PostPartFormSet(BaseInlineFormSet):
    """A post's rows (byline, FAQs, references). A row of a form opened before someone else
    saved, whose stored row was replaced meanwhile (a save writes a changed part's rows anew),
    comes back as a new row with the values the form holds, for the merge to place (see
    Post.save_with_history), not as an error."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        if not self.is_bound or not self.management_form.is_valid():
            return
        stored = {str(pk) for pk in self.get_queryset().values_list("pk", flat=True)}
        self.data, self.replaced = self.data.copy(), set()
        for index in range(self.initial_form_count()):
            key = f"{self.add_prefix(index)}-{self.model._meta.pk.name}"
            if self.data.get(key) and self.data[key] not in stored:
                self.data[key] = ""
                self.replaced.add(index)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # a table's cell has no label of its own
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete"

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if i in getattr(self, "replaced", ()):
            form.fields[self.model._meta.pk.name].required = False
            # Its values are checked against the other rows (the formset's own check), not
            # against the stored rows, which the merge replaces.
            form.validate_unique = lambda: None
        return form


class PostAuthorFormSet(PostPartFormSet):
    """The byline: a writer who may not edit every post stays on it, or an "unsaved post is
    its creator's" and "every listed author is an owner" would let them publish under, or
    hand a draft to, someone else's name."""

    user = None  # set per request by PostAuthorInline.get_formset

    def clean(self):
        super().clean()
        if self.user is None or self.user.has_perm("blog.edit_any_post"):
            return
        authors = {
            form.cleaned_data["author"].pk
            for form in self.forms
            if form.cleaned_data.get("author") and not self._should_delete_form(form)
        }
        if authors and self.user.pk not in authors:
            raise ValidationError(
                "Keep yourself among the authors: only an editor can credit a post to others "
                "alone. (Leave the list empty to be the only author.)"
            )


class VersionField(forms.IntegerField):
    def has_changed(self, initial, data):
        return False  # what the form was opened at, not a change to the post (nor to its log)


class LoadedField(forms.JSONField):
    def has_changed(self, initial, data):
        return False

    def clean(self, value):
        loaded = super().clean(value)
        return loaded if isinstance(loaded, dict) else None


class PostAdminForm(forms.ModelForm):
    """The post form; the workflow step asked for (a button) is checked with the new values."""

    user = None  # set per request by PostAdmin.get_form
    transition = None
    # After a save refused for clashing with another (see blog/admin/conflicts.py): the values
    # the form shows again instead of those sent ({field name: [values]}), the base version
    # among them.
    conflict_data = None

    # The version of the post the form was opened at: a save begun from an older one is merged.
    version = VersionField(required=False, min_value=1, widget=forms.HiddenInput)
    # What it showed then of the fields no revision keeps: their base, should it be merged.
    loaded = LoadedField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Post
        fields = []  # PostAdmin's fieldsets say which
        help_texts = {
            "tags": "Separated by commas; existing tags are suggested as you type.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "disclosure": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        self.fields["loaded"].initial = self.instance.unversioned_fields()
        if self.is_bound and self.conflict_data:
            self.data = self.data.copy()
            for name, values in self.conflict_data.items():
                self.data.setlist(name, values)

    def clean(self):
        cleaned = super().clean()
        if self.conflict_data:
            self.add_error(
                None,
                "Nothing was saved: your changes clash with changes saved since you opened "
                "this post. Make the form say what the post should say, then save again.",
            )
        elif self.instance.pk and cleaned.get("version") is None:
            self.add_error(
                None,
                "This form does not say which version of the post it was opened at, so saving "
                "it could undo someone else's changes: copy your changes, reload the page and "
                "make them again.",
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if "slug" in self.changed_data:
            self._check(self.instance.check_slug, self.user)
        submitted = {
            "faq_answers": self._submitted_faq_answers(),
            "reference_urls": self._submitted_reference_urls(),
        }
        if self.transition is None:
            if self.instance.status == Post.Status.PUBLISHED:  # edits of live posts
                self._check(self.instance.check_ready_to_publish, submitted)
            return
        self._check(
            self.instance.check_transition,
            self.transition,
            self.user,
            self.instance.publish_at,
            submitted,
        )

    def _submitted_faq_answers(self):
        """The FAQ answers the form's FAQ rows hold (PostAdmin hands the form its formsets
        before validating it), or None to check the stored ones."""
        formset = getattr(self.instance, "_faq_formset", None)
        if formset is None or not formset.is_valid():
            return None
        return [
            form.cleaned_data["answer"]
            for form in formset.forms
            if form.cleaned_data.get("answer") and not form.cleaned_data.get("DELETE")
        ]

    def _submitted_reference_urls(self):
        """The addresses the form's reference rows hold (as _submitted_faq_answers)."""
        formset = getattr(self.instance, "_reference_formset", None)
        if formset is None or not formset.is_valid():
            return None
        return [
            form.cleaned_data["url"]
            for form in formset.forms
            if form.cleaned_data.get("url") and not form.cleaned_data.get("DELETE")
        ]

    def _check(self, check, *args):
        try:
            check(*args)
        except PermissionDenied as denied:
            self.add_error(None, str(denied))
        except ValidationError as error:
            self.add_error(None, error)


class ImportForm(forms.Form):
    """The admin's import, run in the background by the same code as the import_posts and
    import_wordpress commands."""

    file = forms.FileField(
        help_text="A Markdown file (.md), a .zip of Markdown files, or a WordPress export (.xml)."
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "As each file says (otherwise draft)"), *Post.Status.choices],
    )
    include_pages = forms.BooleanField(
        required=False, label="WordPress: import its pages too, as standalone pages"
    )
    dry_run = forms.BooleanField(
        required=False, label="Dry run: show what would happen, write nothing"
    )
    overwrite = forms.BooleanField(
        required=False, label="Replace posts edited here since their last import"
    )
    go_links = forms.BooleanField(
        required=False,
        label="Link affiliate addresses through /go/ links",
        help_text="Every affiliate address in the bodies and FAQ answers becomes the site's "
        "/go/ link for it; a sponsored link is made for each address that has none.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.has_perm("blog.add_sponsoredlink"):
            del self.fields["go_links"]
        if not user.has_perm("blog.publish_post"):
            self.fields["status"].choices = [
                choice
                for choice in self.fields["status"].choices
                if choice[0] in {Post.Status.DRAFT, Post.Status.IN_REVIEW}
            ]

    def clean_file(self):
        return clean_import_file(self.cleaned_data["file"])

    def save(self, by):
        """Queue the import (see ImportJob): the worker runs it, not this request."""
        return ImportJob.start(
            self.cleaned_data["file"],
            by=by,
            status=self.cleaned_data["status"] or None,
            dry_run=self.cleaned_data["dry_run"],
            overwrite=self.cleaned_data["overwrite"],
            go_links=self.cleaned_data.get("go_links", False),
            include_pages=self.cleaned_data["include_pages"],
        )


class MergeTagsForm(forms.Form):
    """The tag admin's "merge": the name the selected tags become (an existing tag or a new
    one)."""

    name = forms.CharField(
        label="Merge into",
        max_length=100,
        help_text="The name of an existing tag, or of a new one. The selected tags are "
        "deleted and their posts get this tag instead.",
    )


class ClickReportForm(forms.Form):
    """The range of the sponsored-link click report: the last 30 days unless asked."""

    since = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label="To (included)",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data=None):
        # An end left out is the default's, shown in the form as if it had been asked for.
        data = {key: (data or {}).get(key, "").strip() for key in ("since", "until")}
        if not data["until"]:
            data["until"] = timezone.localdate().isoformat()
        if not data["since"]:
            try:
                until = date.fromisoformat(data["until"])
                since = until - timedelta(days=reports.DEFAULT_DAYS - 1)
            except (ValueError, OverflowError):  # the field says what is wrong with it
                since = timezone.localdate() - timedelta(days=reports.DEFAULT_DAYS - 1)
            data["since"] = since.isoformat()
        super().__init__(data)

    def clean(self):
        cleaned = super().clean()
        if "since" in cleaned and "until" in cleaned:
            try:
                reports.check_range(cleaned["since"], cleaned["until"])
            except ValidationError as error:
                self.add_error("until", error)
        return cleaned

    def report(self):
        return reports.ClickReport(self.cleaned_data["since"], self.cleaned_data["until"])
