from django.urls import path

from demo import views

urlpatterns = [
    path("", views.mailbox, name="demo-mailbox"),
    path("<int:mail_id>/", views.mail, name="demo-mail"),
]
