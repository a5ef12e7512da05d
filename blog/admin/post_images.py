"""Images in the post form: the library picker's two endpoints (the library as JSON, an upload
into it) that static/admin/js/image-picker.js calls from the body's toolbar, drops and pastes and
from the featured image's widget, and that widget.

Both endpoints check what the post form checks (adding or changing posts) and the library's own
permissions (seeing images, adding them); the upload is a POST under the admin's CSRF check and
rate limit, and makes its image through Image.objects.create_from_upload, the one way in. It
answers at markdownx's upload address too, so markdownx's own drop handling, should it ever run,
also puts the image in the library."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from blog.admin.editing import json_endpoint
from blog.models import Image
from blog.uploads import CONTENT_TYPES

PICKER_PAGE = 24
THUMBNAIL_WIDTH = 320


def picker_json(image, user=None):
    """An image as the picker shows it: a small rendition, its title and alt text, and whether
    `user` may give it alt text in the library."""
    thumbnail = image.rendition(THUMBNAIL_WIDTH) or {}
    return {
        "editable": user is not None and image.can_change(user),
        "id": image.pk,
        "title": image.title,
        "alt_text": image.alt_text,
        "width": image.width,
        "height": image.height,
        "thumbnail": image.rendition_url(THUMBNAIL_WIDTH),
        "thumbnail_width": thumbnail.get("width", image.width),
        "thumbnail_height": thumbnail.get("height", image.height),
    }


def may_use_images(user):
    """Whether `user` may use the library in the post form: they write posts (the post form's
    own check) and may see the library."""
    writes = user.has_perm("blog.add_post") or user.has_perm("blog.change_post")
    return writes and user.has_perm("blog.view_image")


@require_POST
def image_upload(request):
    """One image into the library, with its alt text if given: the image as the picker shows
    it and its reference (`image_code`, what markdownx's own script would insert), or
    {"image": [why it was refused]} with a 4xx status. The post form's only upload: reached
    through the admin's own checks (login, two-factor, CSRF) and rate limit (config/urls.py)."""
    user = request.user
    if not (may_use_images(user) and user.has_perm("blog.add_image")):
        return JsonResponse(
            {"image": ["You need permission to write posts and add images to upload images."]},
            status=403,
        )
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"image": ["Choose an image to upload."]}, status=400)
    alt_text = request.POST.get("alt_text", "").replace("\x00", "").strip()[:250]
    try:
        image = Image.objects.create_from_upload(upload, user=user, alt_text=alt_text)
    except ValidationError as refused:
        return JsonResponse({"image": refused.messages}, status=400)
    return JsonResponse({"image": picker_json(image, user), "image_code": f"![](image:{image.pk})"})


class FeaturedImageWidget(forms.TextInput):
    """The featured image as the library image's id, shown as its thumbnail and title with
    "Choose from library" and "Upload" (image-picker.js); without the script, the id field."""

    template_name = "admin/blog/post/featured_image_widget.html"

    def __init__(self, attrs=None):
        super().__init__(
            {"class": "featured-picker__id", "inputmode": "numeric", "size": 8, **(attrs or {})}
        )

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates, not the form renderer's (which knows only Django's own).
        return render_to_string(self.template_name, self.get_context(name, value, attrs))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        image = None
        if value not in (None, ""):
            try:
                image = Image.objects.filter(pk=int(value)).first()
            except (TypeError, ValueError):
                image = None
        context["image"] = picker_json(image) if image else None
        context["accept"] = ",".join(CONTENT_TYPES)
        return context


class PostImagesMixin:
    """Mixed into PostAdmin."""

    def get_urls(self):
        return [
            path(
                "images/",
                self.admin_site.admin_view(self.image_library_view),
                name="blog_post_images",
            ),
            path(
                "images/<int:pk>/alt-text/",
                self.admin_site.admin_view(self.image_alt_text_view),
                name="blog_post_image_alt_text",
            ),
            *super().get_urls(),
        ]

    @property
    def media(self):
        return super().media + forms.Media(
            css={"all": ["admin/css/image-picker.css"]}, js=["admin/js/image-picker.js"]
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "featured_image":
            # Any library image may be featured by anyone who may see the library.
            kwargs["queryset"] = Image.objects.for_user(request.user)
            kwargs["widget"] = FeaturedImageWidget()
            kwargs["help_text"] = (
                "An image from the library, shown above the post and on cards and social "
                "shares. Publishing needs its alt text."
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def may_use_images(self, request):
        return may_use_images(request.user)

    @json_endpoint("GET")
    def image_library_view(self, request):
        """The library, newest first, narrowed by what was typed (title, alt text, caption,
        credit), a page at a time."""
        if not self.may_use_images(request):
            return JsonResponse({"error": "You may not use the image library."}, status=403)
        typed = request.GET.get("q", "").replace("\x00", "").strip()[:100]
        images = Image.objects.for_user(request.user)
        if typed:
            images = images.search(typed)
        page = Paginator(images, PICKER_PAGE).get_page(request.GET.get("page"))
        return JsonResponse(
            {
                "images": [picker_json(image, request.user) for image in page],
                "more": page.has_next(),
            }
        )

    @json_endpoint("POST")
    def image_alt_text_view(self, request, pk):
        """Alt text typed at insertion, kept in the library for an image that has none there
        yet, when the user may change that image (their own upload, or any for Editors):
        another's words are never replaced from the post form."""
        if not self.may_use_images(request):
            return JsonResponse({"error": "You may not use the image library."}, status=403)
        image = Image.objects.editable_by(request.user).filter(pk=pk).first()
        if image is None:
            return JsonResponse({"error": "You may not change this image."}, status=403)
        alt_text = request.POST.get("alt_text", "").replace("\x00", "").strip()[:250]
        if alt_text and not image.alt_text.strip():
            image.alt_text = alt_text
            image.save(update_fields=["alt_text"])
        return JsonResponse({"image": picker_json(image, request.user)})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["image_picker"] = (
            {
                "list_url": reverse("admin:blog_post_images"),
                "alt_url": reverse("admin:blog_post_image_alt_text", args=[0]),
                "upload_url": reverse("markdownx_upload"),
                "accept": ",".join(CONTENT_TYPES),
                "max_bytes": settings.BYLINE_UPLOAD_MAX_BYTES,
                "can_upload": request.user.has_perm("blog.add_image"),
            }
            if self.may_use_images(request)
            else None
        )
        return super().render_change_form(request, context, add, change, form_url, obj)
