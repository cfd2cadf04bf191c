"""URLs of the clinic admin's settings pages (included under /clinic/settings/), and the invited
member's sign-up link."""

from django.urls import path

from clinic_settings import people_views, views

urlpatterns = [
    path("", views.index, name="clinic-settings"),
    path("clinic/", views.clinic_page, name="clinic-settings-clinic"),
    path("people/", people_views.people, name="clinic-settings-people"),
    path("people/<int:staff_id>/", people_views.person, name="clinic-settings-person"),
    path("people/<int:staff_id>/active/", people_views.person_active, name="clinic-settings-person-active"),
    path(
        "people/<int:staff_id>/invite/",
        people_views.person_invite_again,
        name="clinic-settings-person-invite",
    ),
    path("supervision/", people_views.supervision, name="clinic-settings-supervision"),
    path(
        "supervision/<int:supervision_id>/end/",
        people_views.supervision_stop,
        name="clinic-settings-supervision-end",
    ),
    path("programs/", views.programs, name="clinic-settings-programs"),
    path("programs/<int:program_id>/", views.program_page, name="clinic-settings-program"),
    path("instruments/", views.instruments, name="clinic-settings-instruments"),
    path("thresholds/", views.thresholds, name="clinic-settings-thresholds"),
    path("join/<str:token>/", people_views.signup, name="clinic-settings-signup"),
]
