from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from markdownx.views import ImageUploadView

from blog.urls import site_urlpatterns
from blog.views import markdown_preview

admin.site.site_header = f"{settings.BYLINE_SITE_NAME} · Byline"
admin.site.site_title = "Byline"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg"), permanent=True)),
    # markdownx's own URLconf lets anyone upload images; only staff may, here.
    path(
        "markdownx/markdownify/",
        staff_member_required(markdown_preview),
        name="markdownx_markdownify",
    ),
    path(
        "markdownx/upload/",
        staff_member_required(ImageUploadView.as_view()),
        name="markdownx_upload",
    ),
    path("", include("blog.urls")),
    *site_urlpatterns,
]

if settings.DEBUG:
    from django.conf.urls.static import static as serve_media

    urlpatterns += serve_media(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
