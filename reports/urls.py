from django.urls import path

from reports import views

urlpatterns = [
    path("", views.report, name="reports"),
    path("refresh/", views.refresh, name="reports-refresh"),
    path("definitions/", views.definitions, name="reports-definitions"),
]
