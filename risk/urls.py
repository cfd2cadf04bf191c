from django.urls import path

from risk import views

urlpatterns = [
    path("", views.flag_inbox, name="flag-inbox"),
    path("<int:flag_id>/", views.flag_detail, name="flag-detail"),
    path("<int:flag_id>/acknowledge/", views.flag_acknowledge_view, name="flag-acknowledge"),
    path("<int:flag_id>/repair/", views.flag_repair_view, name="flag-repair"),
    path("<int:flag_id>/resolve/", views.flag_resolve_view, name="flag-resolve"),
]
