from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

urlpatterns = [
    path("", include("care.urls")),
    # Each pillar's own pages: `care` never imports a pillar app, so they are wired here.
    path("", include("alliance.urls")),
    path("", include("readiness.urls")),
    path("episodes/<int:episode_id>/plan/", include("regimen.urls")),
    path("c/", include("care.checkin_urls")),
    path("api/v1/", include("care.api_urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
]
