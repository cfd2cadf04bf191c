"""The integration API (/api/v1/…, API keys) and the clinic admin's pages for it (/api/keys/ …)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path, register_converter
from django.views.decorators.csrf import csrf_exempt

from api import pages_import, pages_keys, pages_webhooks, views_fhir, views_in, views_out
from api.errors import error_body


class ExternalIdConverter:
    """An EHR's own id in a URL: 1–64 letters, digits, '.', '_', ':' or '-'."""

    regex = r"[A-Za-z0-9._:\-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExternalIdConverter, "extid")


@csrf_exempt  # no session, no cookie: nothing to forge; it only ever answers 404
def not_found(request: HttpRequest, **_kwargs: str) -> JsonResponse:
    """An address under an integration resource that no route matches (e.g. /appointments/abc/): the
    catalogue's 404, as the schema promises, rather than the site's own."""
    return JsonResponse(error_body("not_found"), status=404)


urlpatterns: list = [
    # The clinic admin's pages (HTML, staff sessions).
    path("keys/", pages_keys.key_list, name="api-keys"),
    path("keys/new/", pages_keys.key_create, name="api-key-create"),
    path("keys/<int:key_id>/rotate/", pages_keys.key_rotate_view, name="api-key-rotate"),
    path("keys/<int:key_id>/revoke/", pages_keys.key_revoke_view, name="api-key-revoke"),
    path("webhooks/", pages_webhooks.webhook_list, name="api-webhooks"),
    path("webhooks/new/", pages_webhooks.webhook_create, name="api-webhook-create"),
    path("webhooks/<int:endpoint_id>/toggle/", pages_webhooks.webhook_toggle, name="api-webhook-toggle"),
    path(
        "webhooks/deliveries/<int:delivery_id>/replay/",
        pages_webhooks.webhook_replay,
        name="api-webhook-replay",
    ),
    path("import/", pages_import.import_page, name="api-import"),
    path("import/template.csv", pages_import.import_template, name="api-import-template"),
    # The integration API (keys only).
    path("v1/clients/<extid:external_id>/", views_in.ClientApi.as_view(), name="api-client"),
    path("v1/episodes/", views_in.EpisodeOpenApi.as_view(), name="api-episode-open"),
    path("v1/episodes/<int:episode_id>/", views_in.EpisodeApi.as_view(), name="api-episode"),
    path("v1/episodes/<int:episode_id>/close/", views_in.EpisodeCloseApi.as_view(), name="api-episode-close"),
    path("v1/appointments/", views_in.AppointmentCreateApi.as_view(), name="api-appointment-create"),
    path("v1/appointments/<int:appointment_id>/", views_in.AppointmentApi.as_view(), name="api-appointment"),
    path(
        "v1/appointments/<int:appointment_id>/cancel/",
        views_in.AppointmentCancelApi.as_view(),
        name="api-appointment-cancel",
    ),
    path(
        "v1/appointments/<int:appointment_id>/attendance/",
        views_in.AppointmentAttendanceApi.as_view(),
        name="api-appointment-attendance",
    ),
    path(
        "v1/appointments/<int:appointment_id>/checkin-link/",
        views_in.AppointmentCheckInLinkApi.as_view(),
        name="api-appointment-checkin-link",
    ),
    path("v1/flags/", views_out.FlagListApi.as_view(), name="api-flags"),
    path("v1/scores/", views_out.ScoreListApi.as_view(), name="api-scores"),
    path("v1/clinicians/", views_out.ClinicianListApi.as_view(), name="api-clinicians"),
    path("v1/programs/", views_out.ProgramListApi.as_view(), name="api-programs"),
    # The FHIR URLs instruments.api_urls also serves to staff: a request with a key is answered here.
    path("v1/instruments/<slug:key>/questionnaire/", views_fhir.questionnaire, name="api-key-questionnaire"),
    path("v1/checkins/<int:checkin_id>/fhir/", views_fhir.checkin_bundle, name="api-key-checkin-fhir"),
    path("v1/episodes/<int:episode_id>/fhir/", views_fhir.episode_bundle, name="api-key-episode-fhir"),
    path("v1/clients/<int:client_id>/fhir/", views_fhir.client_bundle, name="api-key-client-fhir"),
    # Last: anything else under the integration resources (not the staff-only v1/instruments/ upload).
    re_path(
        r"^v1/(?:appointments|episodes|clients|flags|scores|clinicians|programs|checkins"
        r"|instruments/[^/]+/questionnaire)(?:/.*)?$",
        not_found,
    ),
]
