from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from riskmgmt.core.admin import ReadOnlyAdminMixin

from .models import ControlCheck, ControlPoint


class ControlCheckInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ControlCheck
    fields = ("period_start", "performed_on", "performed_by", "sample_size", "findings", "deviation")
    readonly_fields = fields
    extra = 0


@admin.register(ControlPoint)
class ControlPointAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: plans and checks change through their services in the app, with history."""

    list_display = ("title", "unit", "year", "method", "frequency", "responsible", "is_active")
    list_filter = ("year", "method", "frequency", "is_active", "unit")
    search_fields = ("title",)
    inlines = [ControlCheckInline]


@admin.register(ControlCheck)
class ControlCheckAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ("control_point", "period_start", "performed_on", "performed_by", "findings", "deviation")
    list_filter = ("findings", "control_point__year")
    list_select_related = ("control_point", "performed_by", "deviation")
    date_hierarchy = "performed_on"
