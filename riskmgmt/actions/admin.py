from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Action


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    """Read-mostly: actions change through their services, so the log and notifications follow."""

    list_display = ("__str__", "unit", "responsible", "due_date", "strength", "status")
    list_filter = ("status", "strength", "unit")
    search_fields = ("title",)
    readonly_fields = [f.name for f in Action._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
