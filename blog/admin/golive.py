"""Go-live in the admin: the webhooks Editors register, and the delivery log of every go-live
effect (webhooks, feed hub pings, cache purges, email), with "send again"."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from blog import golive, outbound, webhooks
from blog.admin.guards import ReadOnlyMixin, TextOnlyQueryMixin
from blog.models import Delivery, WebhookEndpoint
from blog.models.golive import WEBHOOK_EVENTS, Channel, DeliveryStatus, EventKind


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(kind.value, kind.label) for kind in WEBHOOK_EVENTS],
        widget=forms.CheckboxSelectMultiple,
        help_text="Scheduled posts are “published” at their time, with no one at the desk.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "active"]
        help_texts = {
            "url": "Where each event is POSTed as JSON. Requests follow no redirects, and "
            "addresses on this machine or a private network are refused unless the site "
            "allows them (BYLINE_OUTBOUND_ALLOW_PRIVATE)."
        }

    def clean_url(self):
        url = self.cleaned_data["url"]
        outbound.check_destination(url)
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(TextOnlyQueryMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "events_text", "active", "deliveries_link"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    readonly_fields = ["signing_secret", "deliveries_link"]
    actions = ["rotate_secret"]

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "events", "active"]
        return [*fields, "signing_secret", "deliveries_link"] if obj else fields

    def save_model(self, request, obj, form, change):
        if not obj.secret:
            obj.secret = webhooks.new_secret()
        super().save_model(request, obj, form, change)

    @admin.display(description="events")
    def events_text(self, obj):
        labels = dict(EventKind.choices)
        return ", ".join(labels.get(kind, kind) for kind in obj.events)

    @admin.display(description="signing secret")
    def signing_secret(self, obj):
        return format_html(
            "<code>{}</code><div class='help'>Check each request's webhook-signature header "
            "with it (Standard Webhooks: HMAC-SHA256 over “id.timestamp.body”).</div>",
            obj.secret,
        )

    @admin.display(description="deliveries")
    def deliveries_link(self, obj):
        url = reverse("admin:blog_delivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">Delivery log</a>', url)

    @admin.action(
        description="Give the selected webhooks new signing secrets", permissions=["change"]
    )
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            endpoint.secret = webhooks.new_secret()
            endpoint.save(update_fields=["secret"])
        self.message_user(request, "New secrets made: give them to the receivers.")


class LateFilter(admin.SimpleListFilter):
    title = "late"
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", "Late (the watchdog's count)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            from django.conf import settings

            return queryset.late(settings.BYLINE_WATCHDOG_MINUTES)
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, TextOnlyQueryMixin, admin.ModelAdmin):
    """The delivery log: every go-live effect, how it went, and "send again"."""

    list_display = [
        "event_text",
        "channel",
        "to",
        "status",
        "attempts",
        "response_status",
        "last_attempt_at",
        "due_at",
    ]
    list_filter = ["status", "channel", "event__kind", LateFilter]
    search_fields = ["event__post__title", "endpoint__name", "recipient__username"]
    list_select_related = ["event__post", "endpoint", "recipient"]
    date_hierarchy = "last_attempt_at"
    actions = ["send_again", "dismiss"]
    fields = [
        "event_text",
        "event_id_text",
        "channel",
        "to",
        "status",
        "attempts",
        "due_at",
        "last_attempt_at",
        "done_at",
        "response_status",
        "duration_ms",
        "error",
    ]
    readonly_fields = fields

    @admin.display(description="event", ordering="event__due_at")
    def event_text(self, obj):
        return str(obj.event)

    @admin.display(description="event id")
    def event_id_text(self, obj):
        return str(obj.event.uuid)

    @admin.display(description="to")
    def to(self, obj):
        if obj.channel == Channel.WEBHOOK:
            return obj.endpoint.name if obj.endpoint else "(deleted webhook)"
        if obj.channel == Channel.EMAIL:
            return obj.recipient.name if obj.recipient else "(deleted user)"
        return obj.get_channel_display()

    def has_send_again_permission(self, request):
        return request.user.has_perm("blog.change_webhookendpoint")

    def has_dismiss_permission(self, request):
        return self.has_send_again_permission(request)

    @admin.action(
        description="Dismiss the selected failed deliveries (no longer reported late)",
        permissions=["dismiss"],
    )
    def dismiss(self, request, queryset):
        count = golive.dismiss(queryset)
        self.message_user(
            request, f"{count} failed deliver{'y' if count == 1 else 'ies'} dismissed."
        )

    @admin.action(description="Send the selected deliveries again", permissions=["send_again"])
    def send_again(self, request, queryset):
        count = golive.redeliver(queryset)
        skipped = queryset.filter(status=DeliveryStatus.RUNNING).count()
        note = f" ({skipped} being sent now left as they are)" if skipped else ""
        self.message_user(request, f"{count} queued to be sent again{note}.")
