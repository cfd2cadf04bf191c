"""Run the risk engine's sweep by hand or from cron: works without the broker (beat needs it)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand

from risk import engine as risk
from risk.services import digests_send


class Command(BaseCommand):
    help = "Mark stale flags and evaluate every episode the risk engine still owes a look."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace", type=int, default=120, help="Seconds an episode may sit due before the sweep takes it."
        )
        parser.add_argument("--limit", type=int, default=500, help="Episodes per batch.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue Celery tasks instead of evaluating in this process."
        )
        parser.add_argument("--digests", action="store_true", help="Also send the clinicians' email digests.")

    def handle(self, *args, grace: int, limit: int, enqueue: bool, digests: bool, **options):
        started = time.perf_counter()
        stale = risk.flags_mark_stale()
        total = 0
        while True:
            ids = risk.sweep_due(enqueue=enqueue, grace=dt.timedelta(seconds=grace), limit=limit)
            total += len(ids)
            # Evaluated in-process, the batch is now cleared, so loop until nothing is left; queued,
            # the rows stay due until a worker runs them, so one batch is all we can do.
            if enqueue or len(ids) < limit:
                break
        sent = 0
        if digests:
            sent = digests_send()
        verb = "queued" if enqueue else "evaluated"
        self.stdout.write(
            f"{stale} flag(s) marked stale; {total} episode(s) {verb}; {sent} digest(s) sent "
            f"in {time.perf_counter() - started:.1f} s"
        )
