from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from riskmgmt.core.admin import ReadOnlyAdminMixin

from .models import Deviation, DeviationAccess, IvoNotification


class ReadOnlyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Deviations change through their services (log, deadlines, notifications); admin reads."""


@admin.register(Deviation)
class DeviationAdmin(ReadOnlyAdmin):
    list_display = ("reference", "kind", "unit", "status", "reported_at", "next_due")
    list_filter = ("kind", "status", "unit")
    search_fields = ("reference",)


@admin.register(IvoNotification)
class IvoNotificationAdmin(ReadOnlyAdmin):
    list_display = ("deviation", "sent_on", "ivo_reference", "status", "investigation_due")


@admin.register(DeviationAccess)
class DeviationAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("deviation", "user", "at", "via")
    list_filter = ("via",)
