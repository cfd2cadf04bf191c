from django.contrib.auth import views as auth_views
from django.urls import path

from care import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("caseload/", views.caseload, name="caseload"),
    path("clients/<int:client_id>/", views.client_detail, name="client-detail"),
    path("supervision/", views.supervision, name="supervision"),
    path("clinic/", views.clinic_overview, name="clinic-overview"),
    path("health/", views.health, name="health"),
]
