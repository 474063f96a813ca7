from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from riskmgmt.core.admin import ReadOnlyAdminMixin

from . import services
from .models import DeadlineNotice, DeadlineRule, Notification


class SentFilter(admin.SimpleListFilter):
    title = _("skickad")
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("no", _("Ej skickad")), ("yes", _("Skickad"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: operators look at failures and may retry them."""

    list_display = ("created", "recipient", "kind", "sent_at", "attempts", "due_at", "last_error", "read_at")
    list_filter = (SentFilter, "kind")
    list_select_related = ("recipient",)
    search_fields = ("recipient__username",)
    date_hierarchy = "created"
    show_full_result_count = False
    actions = ["retry_now"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("notifications.change_notification")

    @admin.action(description=_("Försök skicka igen nu"), permissions=["retry"])
    def retry_now(self, request, queryset):
        with transaction.atomic():
            count = services.notifications_retry_now(
                notification_ids=queryset.values_list("pk", flat=True)
            )
        self.message_user(
            request,
            ngettext(
                "%(count)s notis köades för leverans.",
                "%(count)s notiser köades för leverans.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(SimpleHistoryAdmin):
    list_display = (
        "code",
        "name",
        "days",
        "months",
        "annual_due",
        "reminder_offsets",
        "escalation_after_days",
        "escalate_to",
        "valid_from",
        "valid_to",
        "is_active",
    )
    list_filter = ("is_active", "escalate_to")
    search_fields = ("code", "name", "applies_to")
    fieldsets = (
        (None, {"fields": ("code", "name", "applies_to", "legal_basis")}),
        (_("Tidsfrist"), {"fields": ("days", "months", "annual_due")}),
        (_("Påminnelser och eskalering"), {"fields": ("reminder_offsets", "escalation_after_days", "escalate_to")}),
        (_("Giltighet"), {"fields": ("valid_from", "valid_to", "is_active")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # Apps refer to rules by code; renaming one would silently switch its deadlines off.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate or end the validity instead; the history stays readable


@admin.register(DeadlineNotice)
class DeadlineNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which reminders, overdue notices and escalations the deadline job has sent."""

    list_display = ("created", "rule_code", "kind", "content_type", "object_id", "due_date", "offset")
    list_filter = ("rule_code", "kind")
    date_hierarchy = "created"
