from django.urls import path

from . import letter, views

app_name = "supervision"

urlpatterns = [
    path("", views.decision_list, name="list"),
    path("kommande/", views.upcoming, name="upcoming"),
    path("ny/", views.decision_create, name="create"),
    path("<int:pk>/", views.decision_detail, name="detail"),
    path("<int:pk>/andra/", views.decision_edit, name="edit"),
    path("<int:pk>/beslutet/", views.decision_document, name="document"),
    path("<int:pk>/overgang/<slug:name>/", views.decision_transition, name="transition"),
    path("<int:pk>/yttrande/<int:statement_pk>/skickat/", views.statement_submit, name="statement-submit"),
    path("<int:pk>/krav/", views.requirement_add, name="requirement-add"),
    path("<int:pk>/krav/<int:requirement_pk>/redovisningen/", views.requirement_document,
         name="requirement-document"),
    path("<int:pk>/krav/<int:requirement_pk>/atgard/", views.requirement_action_add, name="requirement-action"),
    path("<int:pk>/krav/<int:requirement_pk>/<slug:name>/", views.requirement_transition,
         name="requirement-transition"),
    # The report-back letter, in letter
    path("<int:pk>/redovisning/", letter.decision_letter, name="letter"),
    path("<int:pk>/redovisning.pdf", letter.decision_letter_pdf, name="letter-pdf"),
]
