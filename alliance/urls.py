"""The clinician's session page: attendance, the client's check-in link, and the clinician's own rating."""

from django.urls import path

from alliance import views

urlpatterns = [
    path("sessions/<int:session_id>/", views.session_detail, name="session-detail"),
    path("sessions/<int:session_id>/attendance/", views.session_attendance, name="session-attendance"),
    path("sessions/<int:session_id>/checkin-link/", views.session_checkin_link, name="session-checkin-link"),
    path("sessions/<int:session_id>/rating/", views.session_rating, name="session-rating"),
]
