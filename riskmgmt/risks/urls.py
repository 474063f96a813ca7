from django.urls import path

from . import overview, raise_views, views

app_name = "risks"

urlpatterns = [
    # The unit's analyses and the workshop, in views
    path("", views.analysis_list, name="list"),
    path("ny/", views.analysis_create, name="create"),
    path("<int:pk>/", views.analysis_detail, name="detail"),
    path("<int:pk>/risker/", views.risk_create, name="risk-create"),
    path("<int:pk>/overgang/<slug:name>/", views.analysis_transition, name="transition"),
    path("<int:pk>/starta-nasta-ar/", views.analysis_carry_forward, name="carry-forward"),
    path("risk/<int:pk>/", views.risk_detail, name="risk-detail"),
    path("risk/<int:pk>/andra/", views.risk_edit, name="risk-edit"),
    # Matrices, the ledningsgrupp's year view, comparison and export, in overview
    path("ar/", overview.year_redirect, name="year-current"),
    path("ar/<int:year>/", overview.year_view, name="year"),
    path("matris/", overview.matrix_view, name="matrix"),
    path("lista/", overview.risk_list, name="risk-list"),
    path("<int:pk>/jamfor/", overview.compare_view, name="compare"),
    path("export.<str:fmt>", overview.export, name="export"),
    # Raising a deviation or a requirement as a risk, in raise_views
    path("lyft/<slug:source>/<int:pk>/", raise_views.risk_raise, name="raise"),
]
