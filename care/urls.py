from django.contrib.auth import views as auth_views
from django.urls import include, path

from care import flag_views, portal_views, session_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("caseload/", views.caseload, name="caseload"),
    path("clients/<int:client_id>/", views.client_detail, name="client-detail"),
    path("clients/<int:client_id>/portal-link/", views.portal_link_send, name="portal-link-send"),
    path("episodes/<int:episode_id>/plan/", include("regimen.urls")),
    path("", include("readiness.urls")),
    path("me/<str:token>/", portal_views.portal_page, name="portal"),
    path("sessions/<int:session_id>/", session_views.session_detail, name="session-detail"),
    path(
        "sessions/<int:session_id>/attendance/", session_views.session_attendance, name="session-attendance"
    ),
    path(
        "sessions/<int:session_id>/checkin-link/",
        session_views.session_checkin_link,
        name="session-checkin-link",
    ),
    path("sessions/<int:session_id>/rating/", session_views.session_rating, name="session-rating"),
    path("supervision/", views.supervision, name="supervision"),
    path("clinic/", views.clinic_overview, name="clinic-overview"),
    path("clinic/instruments/", include("care.instrument_urls")),
    path("flags/", flag_views.flag_inbox, name="flag-inbox"),
    path("flags/<int:flag_id>/", flag_views.flag_detail, name="flag-detail"),
    path("flags/<int:flag_id>/acknowledge/", flag_views.flag_acknowledge_view, name="flag-acknowledge"),
    path("flags/<int:flag_id>/repair/", flag_views.flag_repair_view, name="flag-repair"),
    path("flags/<int:flag_id>/resolve/", flag_views.flag_resolve_view, name="flag-resolve"),
    path("health/", views.health, name="health"),
]
