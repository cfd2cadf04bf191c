"""The clinician's rating of a session, posted from its card on the session page (checkin)."""

from django.urls import path

from alliance import views

urlpatterns = [
    path("sessions/<int:session_id>/rating/", views.session_rating, name="session-rating"),
]
