"""The clinician's session page (signed in). A pillar whose card on the page has a form wires its own
view under the same path, in its own urls.py."""

from django.urls import path

from checkin import session_views, tablet_views

urlpatterns = [
    path("sessions/<int:session_id>/", session_views.session_detail, name="session-detail"),
    path(
        "sessions/<int:session_id>/attendance/", session_views.session_attendance, name="session-attendance"
    ),
    path(
        "sessions/<int:session_id>/checkin-link/",
        session_views.session_checkin_link,
        name="session-checkin-link",
    ),
    # The clinic admin registers a tablet from the tablet itself (checkin.tablets).
    path("clinic/tablets/", tablet_views.tablets, name="checkin-tablets"),
]
