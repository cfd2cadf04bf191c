"""What the side-by-side measurement against ../shared/bench (the ceiling) needs from Attune's own code.

    # N live check-in links (raw tokens, one a line) and a form body that answers them all
    .venv/bin/python bench/ceiling_prep.py links --database attune_dash_bench --count 3000 \\
        --tokens /tmp/tokens.txt --body /tmp/answers.form
    # a signed-in session cookie of the clinician with the longest caseload (run it with the served
    # app's SECRET_KEY: a session carries a hash keyed by it)
    SECRET_KEY=… .venv/bin/python bench/ceiling_prep.py cookie --database attune_dash_bench

Bench databases only: `links` turns already-answered check-ins back into unanswered ones (their scores
deleted) so that there are enough to answer, all asking the same instruments, so one body fits them all.
`cookie` turns the second sign-in step off for the bench clinic (a load tool cannot type a code).
Then serve Attune with production settings and gunicorn, and run ../shared/bench/ratio.py as its README
says; docs/performance.md has the commands used for the figures there."""

import argparse
import datetime as dt
import os
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(database: str) -> None:
    os.environ["DATABASE_URL"] = f"postgres://root@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


def answer_body(instruments) -> str:
    """The lowest valid answer to every question that takes a number; words left out."""
    data = {}
    for instrument in instruments:
        for item in instrument.items:
            if item.type == "text":
                continue
            value = item.options[0].value if item.type == "choice" else item.value_range()[0]
            data[f"{instrument.key}.{item.key}"] = str(value)
    return urlencode(data)


def links(args) -> None:
    if not (args.tokens and args.body):
        raise SystemExit("links needs --tokens FILE and --body FILE")
    from django.db import transaction

    from care.links import link_issue
    from care.models import AccessLink, CheckIn, Score
    from checkin.services import instruments_of

    rows = CheckIn.objects.order_by("-id").values_list("id", "instrument_versions")[: args.count * 4]
    common, _n = Counter(tuple(sorted(v.items())) for _id, v in rows).most_common(1)[0]
    ids = [pk for pk, versions in rows if tuple(sorted(versions.items())) == common][: args.count]
    with transaction.atomic():
        Score.objects.filter(checkin_id__in=ids).delete()
        CheckIn.objects.filter(id__in=ids).update(
            status="sent", submitted_at=None, answers={}, evaluated_at=None
        )
        AccessLink.objects.filter(checkin_id__in=ids).delete()
        tokens = []
        for checkin in CheckIn.objects.filter(id__in=ids).select_related("session__episode__client"):
            _link, token, _code = link_issue(
                purpose=AccessLink.Purpose.CHECKIN,
                client=checkin.session.episode.client,
                checkin=checkin,
                ttl=dt.timedelta(hours=12),
            )
            tokens.append(token)
    sample = CheckIn.objects.select_related("session__episode__client").get(pk=ids[0])
    body = answer_body(instruments_of(sample, sample.session.episode.client.clinic_id))
    Path(args.tokens).write_text("\n".join(tokens) + "\n")
    Path(args.body).write_text(body)
    print(f"{len(tokens)} live links in {args.tokens}; a body for {dict(common)} in {args.body}")


def cookie(args) -> None:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count
    from django.utils.module_loading import import_string

    from clinicians.models import Clinician

    clinician = (
        Clinician.objects.annotate(n=Count("episodes")).order_by("-n").select_related("user__clinic").first()
    )
    clinic = clinician.user.clinic
    clinic.require_two_factor = False
    clinic.save(update_fields=["require_two_factor"])
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(clinician.user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = clinician.user.get_session_auth_hash()
    store.set_expiry(12 * 3600)
    store.create()
    print(f"sessionid={store.session_key}  ({clinician.user.username}, {clinician.n} episodes)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=["links", "cookie"])
    parser.add_argument("--database", default="attune_dash_bench")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--tokens", help="links: the file the raw tokens are written to")
    parser.add_argument("--body", help="links: the file the form body is written to")
    args = parser.parse_args()
    setup(args.database)
    {"links": links, "cookie": cookie}[args.what](args)


if __name__ == "__main__":
    main()
