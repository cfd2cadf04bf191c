from django.urls import path

from supervision import views

urlpatterns = [
    path("", views.home, name="supervision"),
    path("my-week/", views.my_week, name="my-week"),
    path("definitions/", views.definitions, name="supervision-definitions"),
    path("funnels/", views.funnels, name="supervision-funnels"),
    path("pulse/", views.pulse, name="pulse"),
    path("pulse/sharing/", views.pulse_sharing, name="pulse-sharing"),
    path("clinicians/<int:clinician_id>/", views.clinician, name="supervision-clinician"),
    path("clinicians/<int:clinician_id>/notes/", views.note_create, name="supervision-note-create"),
]
