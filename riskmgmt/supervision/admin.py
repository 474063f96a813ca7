from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from riskmgmt.core.admin import ReadOnlyAdminMixin

from .models import Requirement, StatementRequest, SupervisionDecision


class ReadOnlyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Decisions and requirements change through their services (log, deadlines); admin reads."""


class RequirementInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Requirement
    fields = ("text", "due_date", "process", "status", "reported_on", "accepted_on")
    readonly_fields = fields
    extra = 0
    show_change_link = True


class StatementRequestInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StatementRequest
    fields = ("requested_on", "due_date", "submitted_on", "submitted_by")
    readonly_fields = fields
    extra = 0


@admin.register(SupervisionDecision)
class SupervisionDecisionAdmin(ReadOnlyAdmin):
    list_display = ("reference", "authority", "kind", "unit", "status", "received_on", "decided_on", "outcome")
    list_filter = ("authority", "kind", "status", "outcome")
    search_fields = ("reference",)
    date_hierarchy = "received_on"
    list_select_related = ("unit",)
    inlines = [StatementRequestInline, RequirementInline]


@admin.register(Requirement)
class RequirementAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "decision", "due_date", "status", "process")
    list_filter = ("status",)
    search_fields = ("decision__reference",)
    list_select_related = ("decision", "process")


@admin.register(StatementRequest)
class StatementRequestAdmin(ReadOnlyAdmin):
    list_display = ("decision", "requested_on", "due_date", "submitted_on")
    list_select_related = ("decision",)
