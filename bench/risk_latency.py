"""Submit → flag latency: clients submit check-ins over HTTP; how long until the flag exists?

Not a test: a measurement. It needs PostgreSQL, Redis, a web server and a Celery worker. Either point
it at ones already running (same DATABASE_URL and REDIS_URL as they use), or let it start gunicorn
and a worker itself with --spawn:

    DATABASE_URL=postgres://root@127.0.0.1:5432/attune_bench REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python bench/risk_latency.py --spawn --checkins 100

It creates its own clinic ("Latency bench …"), opens a check-in per session with a fresh link, POSTs
low relationship answers to /c/<token>/ (the client's form), then polls the database until the
relationship flag for that episode exists (the low total merges into it). Latency = flag.opened_at − time the POST began."""

import argparse
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def spawn(port: int) -> list[subprocess.Popen]:
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    web = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    return [web, worker]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--checkins", type=int, default=100)
    parser.add_argument("--spawn", action="store_true", help="start gunicorn and a Celery worker")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between submits")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        sys.exit(
            "Set REDIS_URL: without a broker, tasks run inside the web request and this measures nothing."
        )

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from care.links import link_issue
    from care.models import AccessLink, CheckIn, Client, Clinic, Episode, Program, Session, User
    from checkin.services import instruments_of
    from clinicians.models import Clinician
    from instruments.library import instruments_for_session
    from risk.models import Flag

    call_command("migrate", verbosity=0)
    children = spawn(urllib.parse.urlsplit(args.url).port or 80) if args.spawn else []
    try:
        if children:
            time.sleep(4)  # gunicorn and the worker start
        stamp = timezone.now().strftime("%H%M%S")
        clinic = Clinic.objects.create(name=f"Latency bench {stamp}", crisis_instructions="Call 988.")
        program = Program.objects.create(clinic=clinic, name="Adult")
        user = User.objects.create(username=f"bench{stamp}", clinic=clinic)
        clinician = Clinician.objects.create(user=user, clinic=clinic)
        started = timezone.now() - dt.timedelta(hours=2)
        links = []
        for n in range(args.checkins):
            client = Client.objects.create(
                clinic=clinic, reference=f"B{stamp}{n:05d}", given_name="Bench", family_name=str(n)
            )
            episode = Episode.objects.create(
                client=client, clinician=clinician, program=program, opened_on=started.date()
            )
            session = Session.objects.create(
                episode=episode,
                number=1,
                scheduled_start=started,
                scheduled_end=started + dt.timedelta(minutes=50),
                attendance=Session.Attendance.ATTENDED,
            )
            instruments = instruments_for_session(clinic=clinic, session_number=1)
            checkin = CheckIn.objects.create(
                session=session,
                sent_at=timezone.now(),
                instrument_versions={i.key: i.version for i in instruments},
            )
            _link, token, _ = link_issue(
                purpose=AccessLink.Purpose.CHECKIN, client=client, checkin=checkin, ttl=dt.timedelta(hours=4)
            )
            links.append((episode.pk, checkin, token))

        submit_ms, latency_ms, missing = [], [], 0
        begun: dict[int, dt.datetime] = {}
        for episode_id, checkin, token in links:
            form = {}
            for instrument in instruments_of(checkin, clinic.pk):
                for item in instrument.items:
                    if item.type == "text":
                        continue
                    if instrument.key == "relationship" and item.type == "scale":
                        value = 5  # 20 of 40: a low total, as a rupture would give
                    elif item.type == "choice":
                        value = item.options[0].value if instrument.key != "phq9" else 0
                    elif item.type == "yesno":
                        value = 0
                    else:
                        value = (item.min + item.max) // 2
                    form[f"{instrument.key}.{item.key}"] = str(value)
            body = urllib.parse.urlencode(form).encode()
            begun[episode_id] = timezone.now()
            t0 = time.perf_counter()
            with urllib.request.urlopen(
                urllib.request.Request(f"{args.url}/c/{token}/", data=body, method="POST"), timeout=30
            ) as response:
                assert response.status == 200, response.status
            submit_ms.append((time.perf_counter() - t0) * 1000)
            time.sleep(args.pause)

        deadline = time.monotonic() + 60
        pending = set(begun)
        while pending and time.monotonic() < deadline:
            for flag in Flag.objects.filter(episode_id__in=pending, pillar="relationship"):
                latency_ms.append((flag.opened_at - begun[flag.episode_id]).total_seconds() * 1000)
                pending.discard(flag.episode_id)
            time.sleep(0.05)
        missing = len(pending)

        print(f"{len(links)} check-ins submitted over HTTP to {args.url}")
        print(
            f"submit (HTTP POST): p50 {percentile(submit_ms, 50):.0f} ms, p95 {percentile(submit_ms, 95):.0f} ms"
        )
        if latency_ms:
            print(
                f"submit → flag:      p50 {percentile(latency_ms, 50):.0f} ms, "
                f"p95 {percentile(latency_ms, 95):.0f} ms, max {max(latency_ms):.0f} ms, "
                f"mean {statistics.mean(latency_ms):.0f} ms"
            )
        print(f"flags missing after 60 s: {missing}")
    finally:
        for child in children:
            os.killpg(child.pid, signal.SIGTERM)
        for child in children:
            child.wait(10)


if __name__ == "__main__":
    main()
