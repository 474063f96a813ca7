from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import QualityNarrative, ReportJob


@admin.register(QualityNarrative)
class QualityNarrativeAdmin(SimpleHistoryAdmin):
    list_display = ("unit", "year", "section", "modified")
    list_filter = ("year", "section")
    search_fields = ("unit__name", "unit__code")
    raw_id_fields = ("unit",)


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are made by the kvalitetsberättelse page and run by the worker."""

    list_display = ("pk", "kind", "unit", "year", "requested_by", "status", "progress", "created", "finished_at")
    list_filter = ("status", "kind")
    readonly_fields = ("kind", "unit", "year", "requested_by", "status", "progress", "filename", "error",
                       "started_at", "finished_at", "created")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
