from django.urls import path

from dashboards import portal_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("caseload/", views.caseload, name="caseload"),
    path("clients/<int:client_id>/", views.client_detail, name="client-detail"),
    path("clients/<int:client_id>/portal-link/", views.portal_link_send, name="portal-link-send"),
    path("me/<str:token>/", portal_views.portal_page, name="portal"),
    path("clinic/", views.clinic_overview, name="clinic-overview"),
]
