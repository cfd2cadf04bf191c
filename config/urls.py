from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from api.pages_docs import api_docs

urlpatterns = [
    path("", include("care.urls")),
    # Staff sign-in after the password: second factor, its set-up, confirming it's you (accounts/).
    path("account/", include("accounts.urls")),
    path("account/passkeys/", include("accounts.passkey_urls")),
    path("", include("dashboards.urls")),
    path("", include("checkin.session_urls")),
    path("flags/", include("risk.urls")),
    path("supervision/", include("supervision.urls")),
    path("reports/", include("reports.urls")),
    path("clinic/settings/", include("clinic_settings.urls")),
    path("api/", include("api.urls")),
    path("clinic/instruments/", include("instruments.urls")),
    # Each pillar's own pages: no app below config imports a pillar's views, so they are wired here.
    path("", include("alliance.urls")),
    path("", include("readiness.urls")),
    path("episodes/<int:episode_id>/plan/", include("regimen.urls")),
    path("c/", include("checkin.urls")),
    path("api/v1/", include("instruments.api_urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from our own static files (static/api/): a CDN would be blocked by our own CSP.
    path("api/docs/", api_docs, name="api-docs"),
]

if settings.DEMO:  # DEBUG or DEMO=1: never with production settings
    urlpatterns.append(path("demo/mailbox/", include("demo.urls")))

# Failure pages people can read (care/errors.py): the site's template, the page's language, and on the
# client's pages the clinic's crisis text.
handler400 = "care.errors.bad_request"
handler403 = "care.errors.permission_denied"
handler404 = "care.errors.page_not_found"
handler500 = "care.errors.server_error"
