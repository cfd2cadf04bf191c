from django.urls import path

from regimen import views

urlpatterns = [
    path("", views.plan_edit, name="plan-edit"),
]
