from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from care.models import Client, Clinic
from demo.links import make_demo_links, name_run, staff_by_role
from demo.people import DEMO_PASSWORD

ROLE_LINES = [("admin", "Clinic admin"), ("supervisor", "Supervisors"), ("clinician", "Clinicians")]


def _name(client: Client) -> str:
    return f"{client.given_name} {client.family_name}"


class Command(BaseCommand):
    help = "Print the demo's logins and three fresh links into the client side (demo mode only)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.SITE_URL, help="Where the demo answers.")

    def handle(self, *args, url, **options):
        if not settings.DEMO:
            raise CommandError("Demo links are made only in demo mode (DEBUG=true or DEMO=1).")
        clinic = Clinic.objects.order_by("id").first()
        if clinic is None:
            raise CommandError("No clinic yet: run `manage.py seed_demo` first.")
        try:
            links = make_demo_links(clinic)
        except LookupError as problem:
            raise CommandError(str(problem)) from problem
        url = url.rstrip("/")
        staff = staff_by_role(clinic)
        out = [
            "",
            self.style.SUCCESS(f"Attune demo: {url}/login/   password for every login: {DEMO_PASSWORD}"),
        ]
        out += [f"  {label:<13} {name_run(staff[role])}" for role, label in ROLE_LINES if staff[role]]
        out += [
            "The client's side (made just now; nothing to sign in):",
            f"  Check-in link {url}{links.checkin_path}  ({_name(links.checkin_client)}, {links.checkin_clinician}'s client)",
            f"  Tablet code   {links.tablet_code} at {url}/c/  ({_name(links.tablet_client)})",
            f"  Own page      {url}{links.portal_path}  ({_name(links.portal_client)})",
            f"Email is kept in the demo mailbox: {url}{reverse('demo-mailbox')}",
        ]
        self.stdout.write("\n".join(out))
