"""What keeps admin requests within bounds: filters and searches that are text, and "View on
site" only for what the user may view."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404


class ReadOnlyMixin:
    """Rows the site writes itself (the audit trail, click counters): shown in the admin,
    never added, changed or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TextOnlyQueryMixin:
    """PostgreSQL refuses NUL characters in text, and the admin passes filters and searches
    from the address bar to the database as they come: a filter holding one is dropped, with a
    message, and a search term loses them."""

    def changelist_view(self, request, extra_context=None):
        bad = [
            key
            for key, values in request.GET.lists()
            if "\x00" in key or any("\x00" in value for value in values)
        ]
        if not bad:
            return super().changelist_view(request, extra_context)
        query = request.GET.copy()
        for key in bad:
            del query[key]
        names = ", ".join(f"“{key.replace(chr(0), '')}”" for key in bad)
        self.message_user(
            request,
            f"Ignored the filter {names}: its value holds a NUL character, which is not text.",
            messages.WARNING,
        )
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}".rstrip("?"))

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))


def view_on_site(request, content_type_id, object_id):
    """The admin's "View on site" (Django's shortcut view), for objects the user may view in
    the admin only: the shortcut alone tells any staff member the address of any object, a
    draft's slug included."""
    model = get_object_or_404(ContentType, pk=content_type_id).model_class()
    if not admin.site.is_registered(model):
        raise Http404("Only what the admin shows has a “View on site”.")
    model_admin = admin.site.get_model_admin(model)
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404("No such object, or not yours to view.")
    return shortcut(request, content_type_id, object_id)
