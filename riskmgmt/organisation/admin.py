from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Membership, Process, Unit


class NoDeleteMixin:
    """Units, processes and memberships are deactivated, never deleted: reports point at them."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MembershipInline(NoDeleteMixin, admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["unit"]


class ProcessInline(NoDeleteMixin, admin.TabularInline):
    model = Process
    extra = 0
    fields = ("name", "parent", "is_active")


@admin.register(Unit)
class UnitAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "code", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    readonly_fields = ("path",)
    inlines = [ProcessInline]


@admin.register(Process)
class ProcessAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("name", "unit", "parent", "is_active")
    list_filter = ("is_active", "unit")
    search_fields = ("name", "unit__name")
    autocomplete_fields = ["unit", "parent"]


@admin.register(Membership)
class MembershipAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ("user", "role", "unit", "is_active")
    list_filter = ("role", "is_active", "unit")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    autocomplete_fields = ["user", "unit"]
