"""The database keeps the flags' invariant even when application code is bypassed: one active flag per
pillar per episode (its findings merge into it)."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from risk.models import Flag
from tests.risk.factories import FlagFactory

pytestmark = pytest.mark.django_db


def test_only_one_active_flag_per_pillar_per_episode(personas):
    episode = personas["owner_episode"]
    FlagFactory(episode=episode, rule="relationship_low_total", pillar="relationship")
    with pytest.raises(IntegrityError), transaction.atomic():
        FlagFactory(episode=episode, rule="relationship_drop", pillar="relationship")
    FlagFactory(episode=episode, rule="reliability.no_show", pillar="reliability")  # another pillar: fine
    Flag.objects.filter(episode=episode, pillar="reliability").delete()
    resolved_at = timezone.now()
    Flag.objects.filter(episode=episode).update(status=Flag.Status.RESOLVED, resolved_at=resolved_at)
    FlagFactory(episode=episode, rule="relationship_low_total")  # a new one after resolution
    assert Flag.objects.filter(episode=episode).count() == 2
