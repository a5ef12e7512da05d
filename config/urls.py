import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path

from blog.admin.guards import view_on_site
from blog.admin.post_images import image_upload
from blog.ratelimit import rate_limited
from blog.uploads import serve_media
from blog.urls import site_urlpatterns
from blog.views import markdown_preview

admin.site.site_header = f"{settings.BYLINE_SITE_NAME} · Byline"
admin.site.site_title = "Byline"
admin.site.index_title = "Editorial desk"

# A 503 with Retry-After when the database is down, the usual 500 page otherwise.
handler500 = "blog.health.server_error"

urlpatterns = [
    # Before the admin's own: Django's shortcut there resolves any object for any staff member.
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", lambda request: redirect(static("img/favicon.svg"), permanent=True)),
    # markdownx's own URLconf lets anyone preview and upload; here only those the admin lets
    # in may (staff, with their two-factor code where it is required), and an upload goes into
    # the image library (blog/admin/post_images.py), never stored as it was sent.
    path(
        "markdownx/markdownify/",
        admin.site.admin_view(markdown_preview),
        name="markdownx_markdownify",
    ),
    path(
        "markdownx/upload/",
        admin.site.admin_view(rate_limited("upload", json=True)(image_upload)),
        name="markdownx_upload",
    ),
    path("", include("blog.urls")),
    *site_urlpatterns,
]

# Media on another host (an absolute MEDIA_URL) are not the app's to serve; otherwise
# serve_media answers when BYLINE_SERVE_MEDIA is on.
if not urlsplit(settings.MEDIA_URL).netloc:
    urlpatterns.append(
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", serve_media)
    )
