"""URLs of the clinic admin's instrument pages (included under /clinic/instruments/)."""

from django.urls import path

from instruments import views as instrument_views

urlpatterns = [
    path("", instrument_views.instrument_list, name="instrument-list"),
    path("load/", instrument_views.instrument_upload, name="instrument-upload"),
    path("<int:definition_id>/active/", instrument_views.instrument_set_active, name="instrument-set-active"),
    path(
        "<int:definition_id>/questionnaire.json",
        instrument_views.instrument_download,
        name="instrument-download",
    ),
    path(
        "shipped/<slug:key>/questionnaire.json",
        instrument_views.builtin_download,
        name="instrument-builtin-download",
    ),
]
