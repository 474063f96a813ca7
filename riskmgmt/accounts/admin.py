from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from riskmgmt.organisation.admin import MembershipInline

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Arbete"), {"fields": ("job_title",)}),
    )
    list_display = ("username", "first_name", "last_name", "job_title", "is_active")
    inlines = [MembershipInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # People leave; their reports must not. Deactivate instead of deleting.
        return False
