from django.urls import path

from readiness import views

urlpatterns = [
    path("episodes/<int:episode_id>/goals/", views.goal_add, name="goal-add"),
    path("goals/<int:goal_id>/endorse/", views.goal_endorse, name="goal-endorse"),
    path("goals/<int:goal_id>/achieve/", views.goal_achieve, name="goal-achieve"),
]
