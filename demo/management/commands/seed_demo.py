import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from care.models import Clinic
from demo.bulk import BulkUnsupported, describe, require_postgresql, seed_bulk
from demo.links import name_run, staff_by_role
from demo.people import DEMO_PASSWORD
from demo.seed import EVALUATE_UP_TO, seed_clinic
from reports.facts import refresh


class Command(BaseCommand):
    help = "Seed a realistic, deterministic demo clinic (staff, clients, sessions, check-ins, flags)."
    requires_system_checks = []  # a data command: it needs the models, not the URLs or templates

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7, help="Same seed, same clinic (default 7).")
        parser.add_argument("--clients", type=int, default=120)
        parser.add_argument("--clinicians", type=int, help="Default: one per 15 clients, at least 8.")
        parser.add_argument("--supervisors", type=int, help="Default: one per 8 clinicians, at least 2.")
        parser.add_argument(
            "--evaluate",
            action="store_true",
            default=None,
            help=f"Run the risk engine now (default for up to {EVALUATE_UP_TO:,} clients).",
        )
        parser.add_argument(
            "--no-evaluate",
            dest="evaluate",
            action="store_false",
            help="Leave episodes marked due; `manage.py sweep_risk` or the Celery beat sweep evaluates them.",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if a clinic already exists.")
        parser.add_argument(
            "--checkins",
            type=int,
            help="Instead of the demo clinic, a clinic with about this many submitted check-ins over three "
            "years, written with COPY (PostgreSQL only; demo/bulk.py), then its report tables filled.",
        )

    def handle(self, *args, seed, clients, clinicians, supervisors, evaluate, if_empty, checkins, **options):
        if checkins is not None:
            self.seed_checkins(checkins, seed=seed, if_empty=if_empty)
            return
        if Clinic.objects.exists():
            if if_empty:
                self.stdout.write("A clinic already exists; leaving the data as it is.")
                self.print_sign_in()
                return
            raise CommandError("A clinic already exists. Seed into an empty database (or pass --if-empty).")
        if clients < 1:
            raise CommandError("--clients must be at least 1.")
        started = time.perf_counter()
        summary = seed_clinic(
            seed=seed,
            clients=clients,
            clinicians=clinicians,
            supervisors=supervisors,
            evaluate=evaluate,
            progress=self.stdout.write,
        )
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.clinic.name}: {summary.clients} clients, {summary.episodes} episodes, "
                f"{summary.sessions} sessions, {summary.checkins} check-ins "
                f"({summary.evaluated} episodes evaluated) in {seconds:.1f} s."
            )
        )
        if not summary.evaluated:
            self.stdout.write("Episodes are marked due for the risk engine: run `manage.py sweep_risk`.")
        self.print_sign_in()

    def seed_checkins(self, checkins: int, *, seed: int, if_empty: bool) -> None:
        try:
            require_postgresql()
        except BulkUnsupported as error:
            raise CommandError(str(error)) from error
        if Clinic.objects.exists():
            if if_empty:
                self.stdout.write("A clinic already exists; leaving the data as it is.")
                return
            raise CommandError("A clinic already exists. Seed into an empty database (or pass --if-empty).")
        if checkins < 1:
            raise CommandError("--checkins must be at least 1.")
        summary = seed_bulk(checkins=checkins, seed=seed, progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Seeded {summary.clinic.name}: {describe(summary)}."))
        started = time.perf_counter()
        episodes = refresh(summary.clinic)
        self.stdout.write(
            self.style.SUCCESS(
                f"Report tables filled for {episodes:,} episodes in {time.perf_counter() - started:.1f} s."
            )
        )
        self.print_sign_in()

    def print_sign_in(self):
        clinic = Clinic.objects.order_by("id").first()
        staff = staff_by_role(clinic) if clinic else {}
        roles = [
            ("admin", "clinic admin (configuration and clinic-wide figures)"),
            ("supervisor", "supervisors (own caseload and supervisees')"),
            ("clinician", "clinicians (caseload, flags, client pages)"),
        ]
        lines = [f"\nSign in at {settings.SITE_URL}/login/ with password '{DEMO_PASSWORD}' as:"]
        lines += [f"  {name_run(staff[role])} — {label}" for role, label in roles if staff.get(role)]
        lines.append(
            "Clients need no password: `manage.py demo_links` prints a check-in link and a tablet code."
        )
        self.stdout.write("\n".join(lines))
