"""Client-facing check-in pages (reached from a link or a tablet code, no password)."""

from django.urls import path

from checkin import views as checkin_views

urlpatterns = [
    path("", checkin_views.checkin_code, name="checkin-code"),
    path("<str:token>/", checkin_views.checkin_form, name="checkin"),
    path("<str:token>/own-page/", checkin_views.checkin_own_page_by_email, name="checkin-own-page"),
]
