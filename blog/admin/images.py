"""The image library in the admin: a grid with search and filters, uploads of many files by
drag and drop (one request per file, each through Image.objects.create_from_upload), an edit
page for the words around an image and its focal point, where it is used, and deletion refused
while a post uses it.

Everyone who writes sees and uses the whole library; who may change or delete an image is
ImageQuerySet.editable_by (Editors: any; others: their own uploads), asked on every endpoint.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from blog.admin.guards import TextOnlyQueryMixin
from blog.models import Image
from blog.uploads import CONTENT_TYPES, UploadedImageFormField


class MissingAltFilter(admin.SimpleListFilter):
    title = "alt text"
    parameter_name = "alt"

    def lookups(self, request, model_admin):
        return [("missing", "Missing"), ("given", "Given")]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.missing_alt_text()
        if self.value() == "given":
            return queryset.exclude(alt_text="")
        return queryset


class UsedFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("yes", "Used by a post"), ("no", "Not used")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.used()
        if self.value() == "no":
            return queryset.unused()
        return queryset


class UploaderFilter(admin.SimpleListFilter):
    title = "uploaded by"
    parameter_name = "uploader"

    def lookups(self, request, model_admin):
        choices = [("me", "Me")]
        uploaders = (
            Image.objects.exclude(uploaded_by=None)
            .exclude(uploaded_by=request.user)
            .values_list("uploaded_by", "uploaded_by__display_name", "uploaded_by__username")
            .distinct()
            .order_by("uploaded_by__display_name")
        )
        return choices + [(str(pk), name or username) for pk, name, username in uploaders]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(uploaded_by=request.user)
        if value and value.isdigit():
            return queryset.filter(uploaded_by_id=int(value))
        return queryset


class ImageForm(forms.ModelForm):
    replace_file = UploadedImageFormField(
        required=False,
        label="Replace file",
        help_text="A new file for this image: posts using it show the new one, at the same "
        "place. JPEG, PNG, WebP or GIF.",
    )

    class Meta:
        model = Image
        fields = ["title", "alt_text", "caption", "credit", "licence", "focal_x", "focal_y"]
        widgets = {
            "focal_x": forms.HiddenInput,
            "focal_y": forms.HiddenInput,
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "alt_text": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "caption": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "credit": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "licence": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }


@admin.register(Image)
class ImageAdmin(TextOnlyQueryMixin, admin.ModelAdmin):
    form = ImageForm
    list_display = ["title", "alt_text", "uploaded_by", "uploaded_at"]
    list_filter = [UploaderFilter, MissingAltFilter, UsedFilter, "uploaded_at"]
    search_fields = ["title", "alt_text", "caption", "credit"]
    date_hierarchy = "uploaded_at"
    list_per_page = 48
    actions = ["delete_images"]
    readonly_fields = ["focal_picker", "details", "usage_list"]
    fieldsets = [
        (None, {"fields": ["focal_picker", "focal_x", "focal_y"]}),
        ("Details", {"fields": ["title", "alt_text", "caption", "credit", "licence"]}),
        ("Replace", {"fields": ["replace_file"], "classes": ["collapse"]}),
        ("About the file", {"fields": ["details", "usage_list"]}),
    ]
    change_list_template = "admin/blog/image/change_list.html"
    change_form_template = "admin/blog/image/change_form.html"

    class Media:
        css = {"all": ["admin/css/byline.css", "admin/css/image-library.css"]}
        js = ["admin/js/image-library.js"]

    # Who may do what ----------------------------------------------------------------------

    def get_queryset(self, request):
        images = Image.objects.for_user(request.user).select_related("uploaded_by")
        return images.annotate(use_count=Count("image_uses__post", distinct=True))

    def get_search_results(self, request, queryset, search_term):
        # ImageQuerySet.search: the library's one definition, shared with the post form's picker.
        search_term = search_term.replace("\x00", "")
        return (queryset.search(search_term) if search_term else queryset), False

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return obj.can_change(request.user)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request):
            return False
        return obj is None or obj.can_change(request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.can_change(request.user):
            return [*self.readonly_fields, "title", "alt_text", "caption", "credit", "licence"]
        return self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.can_change(request.user):
            return self.fieldsets
        return [fieldset for fieldset in self.fieldsets if fieldset[0] != "Replace"]

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)  # it asks the model-wide permission only
        return actions

    # Pages --------------------------------------------------------------------------------

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="blog_image_upload"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """Uploads, not a form: files dropped or chosen here are sent one by one."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":  # the form sent without script: every file at once
            return self._upload_without_script(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Add images to the library",
            "upload_url": reverse("admin:blog_image_upload"),
            "accept": ",".join(CONTENT_TYPES),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/blog/image/upload.html", context)

    def upload_view(self, request):
        return _upload(self, request)

    def _upload_without_script(self, request):
        files = request.FILES.getlist("file")
        if not files:
            self.message_user(request, "Choose one or more images to upload.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:blog_image_add"))
        added = 0
        for upload in files:
            try:
                Image.objects.create_from_upload(upload, user=request.user)
                added += 1
            except ValidationError as refused:
                self.message_user(request, " ".join(refused.messages), messages.ERROR)
        if added:
            self.message_user(request, f"Uploaded {added} images.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:blog_image_changelist"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": "Image library",
            "can_add": self.has_add_permission(request),
            "editable_ids": set(
                Image.objects.editable_by(request.user).values_list("pk", flat=True)
            )
            if not request.user.has_perm("blog.edit_any_image")
            else None,
        }
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        replacement = form.cleaned_data.get("replace_file")
        focal = (obj.focal_x, obj.focal_y)
        if "focal_x" in form.changed_data or "focal_y" in form.changed_data:
            stored = Image.objects.get(pk=obj.pk)
            obj.focal_x, obj.focal_y = stored.focal_x, stored.focal_y
        with transaction.atomic():
            obj.save()
            if replacement:
                obj.replace_file(replacement)
            obj.set_focal_point(*focal)
            if {"alt_text", "caption", "credit"} & set(form.changed_data) and not replacement:
                obj.render_users_again()

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            try:
                obj.check_deletable()
            except ValidationError as refused:
                self.message_user(request, refused.messages[0], messages.ERROR)
                return HttpResponseRedirect(reverse("admin:blog_image_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    @admin.action(description="Delete selected images", permissions=["delete"])
    def delete_images(self, request, queryset):
        """Deletes all of them or none: any used by a post, or not the user's to delete,
        refuses the lot with the reason."""
        images = list(queryset)
        theirs = [i for i in images if not i.can_change(request.user)]
        if theirs:
            names = ", ".join(f"“{image.title}”" for image in theirs[:5])
            self.message_user(
                request,
                f"Nothing deleted: you may delete only images you uploaded, not {names}.",
                messages.ERROR,
            )
            return
        problems = []
        for image in images:
            try:
                image.check_deletable()
            except ValidationError as refused:
                problems.append(refused.messages[0])
        if problems:
            self.message_user(request, "Nothing deleted. " + " ".join(problems[:5]), messages.ERROR)
            return
        with transaction.atomic():
            for image in images:
                image.delete()
        self.message_user(request, f"Deleted {len(images)} images.", messages.SUCCESS)

    # Read-only parts of the edit page ----------------------------------------------------

    @admin.display(description="Focal point")
    def focal_picker(self, image):
        preview = image.rendition(960) or {"name": image.file.name}
        return format_html(
            '<div class="focal-picker" data-focal-x="{}" data-focal-y="{}">'
            '<img class="focal-picker__image" src="{}" width="{}" height="{}" alt="{}">'
            '<span class="focal-picker__marker" aria-hidden="true"></span></div>'
            '<p class="help">Click the part of the picture that must stay in view when it is '
            "cropped (cards in lists and feeds are 16:9). Saved with the form.</p>",
            image.focal_x,
            image.focal_y,
            image.file.storage.url(preview["name"]),
            preview.get("width", image.width),
            preview.get("height", image.height),
            image.alt_text,
        )

    @admin.display(description="File")
    def details(self, image):
        uploader = image.uploaded_by
        who = (uploader.display_name or uploader.username) if uploader else "someone since gone"
        return format_html(
            '{} × {} pixels · uploaded by {} on {} · <a href="{}">original file</a><br>'
            "In a post: <code>![{}](image:{})</code>",
            image.width,
            image.height,
            who,
            image.uploaded_at.strftime("%-d %B %Y"),
            image.url,
            image.alt_text,
            image.pk,
        )

    @admin.display(description="Used by")
    def usage_list(self, image):
        posts = list(image.usages().only("pk", "title", "status")[:50])
        if not posts:
            return "No post uses this image."
        return format_html(
            '<ul class="image-usage">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">{}</a> <span class="image-usage__status">{}</span></li>',
                (
                    (
                        reverse("admin:blog_post_change", args=[post.pk]),
                        post.title,
                        post.get_status_display(),
                    )
                    for post in posts
                ),
            ),
        )


def _upload(model_admin, request):
    """One file of a drop: {"id", "title", "thumbnail", "edit_url"} or {"error"} with 400."""
    if request.method != "POST":
        return JsonResponse({"error": "Send the file with POST."}, status=405)
    if not model_admin.has_add_permission(request):
        return JsonResponse({"error": "You may not add images to the library."}, status=403)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"error": "No file came with the request."}, status=400)
    try:
        image = Image.objects.create_from_upload(upload, user=request.user)
    except ValidationError as refused:
        return JsonResponse({"error": " ".join(refused.messages)}, status=400)
    return JsonResponse(
        {
            "id": image.pk,
            "title": image.title,
            "width": image.width,
            "height": image.height,
            "thumbnail": image.rendition_url(320),
            "edit_url": reverse("admin:blog_image_change", args=[image.pk]),
            "reference": f"![{image.alt_text}](image:{image.pk})",
        },
        status=201,
    )
