from django.contrib.auth import views as auth_views
from django.urls import include, path

from care import flag_views, portal_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("caseload/", views.caseload, name="caseload"),
    path("clients/<int:client_id>/", views.client_detail, name="client-detail"),
    path("clients/<int:client_id>/portal-link/", views.portal_link_send, name="portal-link-send"),
    path("me/<str:token>/", portal_views.portal_page, name="portal"),
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
