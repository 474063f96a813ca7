from django.urls import path

from . import filing, views

app_name = "deviations"

urlpatterns = [
    # Filing (filing.py): every member, and the public form without login.
    path("ny/", filing.deviation_create, name="create"),
    path("ny/<int:pk>/kvitto/", filing.deviation_receipt, name="receipt"),
    path("mina/", filing.deviation_mine, name="mine"),
    path("processer/", filing.process_options, name="process-options"),
    # Handling (views.py): managers, quality and management.
    path("", views.deviation_inbox, name="inbox"),
    path("<int:pk>/", views.deviation_detail, name="detail"),
    path("<int:pk>/utredning/", views.deviation_save_investigation, name="save-investigation"),
    path("<int:pk>/ivo/", views.ivo_notification_create, name="ivo-create"),
    path("<int:pk>/ivo/<slug:name>/", views.ivo_transition, name="ivo-transition"),
    path("<int:pk>/ivo-underlag/", views.ivo_basis, name="ivo-basis"),
    path("<int:pk>/ivo-underlag.pdf", views.ivo_basis_pdf, name="ivo-basis-pdf"),
    path("<int:pk>/atkomst/", views.deviation_access_log, name="access-log"),
    path("<int:pk>/bilagor/", views.attachment_upload, name="attachment-upload"),
    path("bilagor/<int:pk>/", views.attachment_download, name="attachment-download"),
    # Last: the slug would otherwise swallow "utredning", "ivo", "atkomst" and "bilagor".
    path("<int:pk>/<slug:name>/", views.deviation_transition, name="transition"),
]
