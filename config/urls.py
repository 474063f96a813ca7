from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView

from riskmgmt.api.exceptions import api_not_found

admin.site.site_header = _("riskmgmt – administration")
admin.site.site_title = _("riskmgmt")

urlpatterns = [
    path("", include("riskmgmt.core.urls")),
    path("atgarder/", include("riskmgmt.actions.urls")),
    path("notiser/", include("riskmgmt.notifications.urls")),
    path("avvikelser/", include("riskmgmt.deviations.urls")),
    path("synpunkter/", include("riskmgmt.deviations.public_urls")),
    path("analyser/", include("riskmgmt.analyses.urls")),
    path("riskanalyser/", include("riskmgmt.risks.urls")),
    path("tillsyn/", include("riskmgmt.supervision.urls")),
    path("processer/", include("riskmgmt.supervision.process_urls")),
    path("egenkontroll/", include("riskmgmt.controls.urls")),
    path("kvalitet/", include("riskmgmt.reports.urls")),
    path("konto/logga-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("konto/glomt-losenord/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("konto/glomt-losenord/skickat/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("konto/aterstall/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("konto/aterstall/klart/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("konto/byt-losenord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("konto/byt-losenord/klart/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("riskmgmt.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/", api_not_found),
]
