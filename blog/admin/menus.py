"""The site's header and footer menus: Editors add, label and order their items (dragged, moved
with buttons, or numbered without script); others have no access."""

from django.contrib import admin
from django.db.models import Count
from django.utils import timezone

from blog.models import Menu, MenuItem


class MenuItemInline(admin.TabularInline):
    model = MenuItem
    extra = 0
    fields = ["order", "kind", "label", "post", "topic", "tag", "author", "url", "shown"]
    readonly_fields = ["shown"]
    autocomplete_fields = ["post", "tag", "author"]
    classes = ["menu-items"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_public_menus()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in MenuItem.TARGETS.values():
            # An item links to a post, topic, tag or author: it does not create or edit one.
            for ability in ("add", "change", "delete", "view"):
                setattr(field.widget, f"can_{ability}_related", False)
        return field

    @admin.display(description="on the site")
    def shown(self, item):
        """Whether readers see the item now, and why not."""
        if item.pk is None:
            return "—"
        public_from = item.public_from()
        if public_from is None:
            if item.target() is None:
                return "Hidden: what it linked to was deleted"
            return "Hidden: not published"
        if public_from > timezone.now():
            return f"From {timezone.localtime(public_from):%Y-%m-%d %H:%M}"
        return "Shown"


@admin.register(Menu)
class MenuAdmin(admin.ModelAdmin):
    """Until the header menu is saved here, the header lists the topics; until the footer menu
    is, the footer links to the subscribe page and the site's feed."""

    list_display = ["__str__", "item_count", "updated_at"]
    inlines = [MenuItemInline]

    class Media:
        css = {"all": ["admin/css/menus.css"]}
        js = ["admin/js/menu-order.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description="items", ordering="item_count")
    def item_count(self, menu):
        return menu.item_count

    def get_readonly_fields(self, request, obj=None):
        return ["location"] if obj is not None else []
