from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import RiskMatrixSettings


@admin.register(RiskMatrixSettings)
class RiskMatrixSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "medium_from", "high_from", "very_high_from", "consequence_4_min_level")

    def has_add_permission(self, request) -> bool:
        return not RiskMatrixSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
