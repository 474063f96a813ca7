from django.contrib import admin

from .models import Transition


@admin.register(Transition)
class TransitionAdmin(admin.ModelAdmin):
    list_display = ("at", "content_type", "object_id", "name", "source", "target", "by")
    list_filter = ("content_type", "name")
    date_hierarchy = "at"

    # The log is evidence: nobody edits or deletes it.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
