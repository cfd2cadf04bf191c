"""Run as a program on a SQLite file (DATABASE_URL): migrate, open one check-in, post its link from
several threads at once, print each answer's status and how many check-ins were stored, as JSON."""

import json
import os
import sys
import threading

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
django.setup()

from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from care.models import CheckIn, Session  # noqa: E402
from checkin.attendance import session_record_attendance  # noqa: E402
from tests.care.factories import EpisodeFactory, SessionFactory  # noqa: E402
from tests.checkin.factories import GOOD, LINK  # noqa: E402
from tests.clinicians.factories import ClinicianFactory  # noqa: E402


def main(posts: int) -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    clinician = ClinicianFactory()
    session = SessionFactory(
        episode=EpisodeFactory(clinician=clinician), number=1, attendance=Session.Attendance.SCHEDULED
    )
    session_record_attendance(actor=clinician.user, session=session, attendance=Session.Attendance.ATTENDED)
    token = LINK.search(mail.outbox[-1].body)[1]
    connection.close()
    barrier = threading.Barrier(posts)
    statuses: list[int] = []

    def post() -> None:
        try:
            barrier.wait()
            statuses.append(Client(raise_request_exception=False).post(f"/c/{token}/", GOOD).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    stored = CheckIn.objects.filter(session=session, status=CheckIn.Status.SUBMITTED).count()
    print(json.dumps({"statuses": sorted(statuses), "stored": stored}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
