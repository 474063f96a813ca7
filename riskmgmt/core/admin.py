from django.contrib import admin

from .models import Transition


class ReadOnlyAdminMixin:
    """Records that change only through their services (log, deadlines, notifications follow),
    or that are evidence: the admin reads them and nothing else."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "content_type", "object_id", "name", "source", "target", "by")
    list_filter = ("content_type", "name")
    date_hierarchy = "at"
