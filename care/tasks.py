from celery import shared_task

from care import risk


@shared_task(acks_late=True)
def evaluate_episode(episode_id: int) -> None:
    risk.evaluate_episode(episode_id)
