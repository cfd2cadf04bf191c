"""The JSON API (DRF). One view per operation."""

from django.urls import path

from instruments import api as api_fhir

urlpatterns: list = [
    path("instruments/", api_fhir.InstrumentUploadApi.as_view(), name="api-instrument-upload"),
    path(
        "instruments/<slug:key>/questionnaire/",
        api_fhir.InstrumentQuestionnaireApi.as_view(),
        name="api-instrument-questionnaire",
    ),
    path("checkins/<int:checkin_id>/fhir/", api_fhir.CheckInBundleApi.as_view(), name="api-checkin-fhir"),
    path("episodes/<int:episode_id>/fhir/", api_fhir.EpisodeBundleApi.as_view(), name="api-episode-fhir"),
    path("clients/<int:client_id>/fhir/", api_fhir.ClientBundleApi.as_view(), name="api-client-fhir"),
]
