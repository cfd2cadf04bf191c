"""The Spanish catalogue: every string has a translation that keeps its placeholders, the committed
.mo says what the .po says, and staff pages come out in Spanish for a Spanish browser."""

import contextlib
import datetime as dt
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from reports import facts
from tests.conftest import require_service
from tests.reports.factories import course

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PO, MO = CATALOGUE / "django.po", CATALOGUE / "django.mo"

# Python format placeholders (named or not), a literal %%, and HTML tags must survive translation.
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|<[^>]+>"
)
# What the catalogue is built from: the project's own code and templates (as docs/checkin.md runs it).
NOT_SOURCE = {"locale", "node_modules", "build", "staticfiles", "tests", "docs"}
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def sources(self) -> list[tuple[str, str]]:
        """(English, Spanish) pairs: the singular against msgstr[0], the plural against the rest."""
        if self.plural is None:
            return [(self.msgid, self.msgstr.get(0, ""))]
        return [(self.msgid if n == 0 else self.plural, text) for n, text in sorted(self.msgstr.items())]


def unquote(token: str) -> str:
    body = token.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], body)


def parse_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete `#~` ones and the header left out)."""
    entries: list[Entry] = []
    entry = Entry(line=1)
    target: str | int | None = None  # the field a continuation line extends
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            if target is not None:
                entries.append(entry)
            entry, target = Entry(line=number + 1), None
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            entry.context, target = unquote(line[8:]), "context"
        elif line.startswith("msgid_plural "):
            entry.plural, target = unquote(line[13:]), "plural"
        elif line.startswith("msgid "):
            entry.msgid, target = unquote(line[6:]), "msgid"
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            entry.msgstr[index], target = unquote(line[line.index("]") + 1 :]), index
        elif line.startswith("msgstr "):
            entry.msgstr[0], target = unquote(line[7:]), 0
        elif line.startswith('"'):
            if isinstance(target, int):
                entry.msgstr[target] += unquote(line)
            elif target is not None:
                setattr(entry, target, (getattr(entry, target) or "") + unquote(line))
    if target is not None:
        entries.append(entry)
    return [e for e in entries if e.msgid]


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO)


def test_the_parser_reads_the_whole_catalogue(entries):
    # A guard for the checks below: a parser that read nothing would pass them all.
    assert len(entries) == PO.read_text(encoding="utf-8").count("\nmsgid ") - 1  # minus the header
    assert len(entries) > 900
    assert any(e.plural for e in entries) and any("\n" in e.msgid for e in entries)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list[Entry]:
    """The committed catalogue merged with the strings the code marks today — makemessages run on a
    copy, so the committed file is never touched: the source is linked into a temporary folder whose
    own locale/ holds the copy."""
    tools = [shutil.which(name) for name in ("xgettext", "msgmerge", "msguniq")]
    require_service("GNU gettext tools", all(tools))
    root = tmp_path_factory.mktemp("source")
    for child in Path(settings.BASE_DIR).iterdir():
        if child.name not in NOT_SOURCE and not child.name.startswith("."):
            (root / child.name).symlink_to(child)
    copy = root / "locale" / "es" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(PO, copy)
    with override_settings(LOCALE_PATHS=[root / "locale"]), contextlib.chdir(root):
        call_command(
            "makemessages", locale=["es"], symlinks=True, no_obsolete=True, ignore_patterns=[], verbosity=0
        )
    return parse_po(copy)


def test_every_string_the_code_marks_is_in_the_catalogue_translated(entries, extracted):
    missing = [e.msgid for e in extracted if any(not text for _, text in e.sources) or "fuzzy" in e.flags]
    assert missing == [], (
        "makemessages -l es --no-obsolete (docs/checkin.md), then translate these, then compilemessages"
    )
    gone = {(e.context, e.msgid) for e in entries} - {(e.context, e.msgid) for e in extracted}
    assert gone == set(), "the code no longer uses these: refresh the catalogue with makemessages"


def test_every_string_is_translated_and_none_is_fuzzy(entries):
    untranslated = [e.msgid for e in entries if any(not text for _, text in e.sources)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == [], "run makemessages and translate these"
    assert fuzzy == [], "check these translations and drop the fuzzy flag"


def test_plurals_have_both_forms(entries):
    # Plural-Forms: nplurals=2 — a plural entry with one form would show English or nothing.
    assert [e.msgid for e in entries if e.plural is not None and sorted(e.msgstr) != [0, 1]] == []


def test_placeholders_tags_and_edges_survive_translation(entries):
    wrong = []
    for e in entries:
        for english, spanish in e.sources:
            if sorted(PLACEHOLDER.findall(english)) != sorted(PLACEHOLDER.findall(spanish)):
                wrong.append(("placeholders", english, spanish))
            for edge in (" ", "\n"):
                if english.startswith(edge) != spanish.startswith(edge) or english.endswith(
                    edge
                ) != spanish.endswith(edge):
                    wrong.append((f"leading/trailing {edge!r}", english, spanish))
    assert wrong == []


def test_the_committed_mo_says_what_the_po_says(entries):
    """Django reads the .mo: a .po edited without compiling would leave pages in English."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = []
    for e in entries:
        key = e.msgid if e.context is None else f"{e.context}\x04{e.msgid}"
        if e.plural is None:
            if compiled.get(key) != e.msgstr[0]:
                stale.append(e.msgid)
        elif any(compiled.get((key, n)) != text for n, text in e.msgstr.items()):
            stale.append(e.msgid)
    assert stale == [], "run manage.py compilemessages -l es"


def test_the_catalogue_compiles_cleanly_and_translates(tmp_path, entries):
    msgfmt = shutil.which("msgfmt") or ""
    require_service("msgfmt", bool(msgfmt))
    out = tmp_path / "django.mo"
    result = subprocess.run(
        [msgfmt, "--check-format", "--check-header", "-o", str(out), str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with out.open("rb") as handle:
        fresh = gettext.GNUTranslations(handle)
    assert fresh.gettext("Clinic settings") == "Configuración de la clínica"
    with MO.open("rb") as handle:
        committed = gettext.GNUTranslations(handle)
    # Compared as catalogues, not bytes: another msgfmt version may order the file differently.
    assert fresh._catalog == committed._catalog, "the committed .mo is older than the .po"  # type: ignore[attr-defined]


def test_django_serves_the_spanish_catalogue():
    with translation.override("es"):
        assert translation.gettext("Risk thresholds") == "Umbrales de riesgo"
        assert translation.ngettext("%(n)s open episode", "%(n)s open episodes", 3) % {"n": 3} == (
            "3 episodios abiertos"
        )
        assert translation.gettext("Please keep this to %(n)s characters or fewer.") % {"n": 500} == (
            "Por favor, escriba como máximo 500 caracteres."
        )


def spanish_page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    return response.content.decode()


@pytest.mark.django_db
def test_the_reports_page_speaks_spanish(client, personas):
    today = timezone.localdate()
    start = today - dt.timedelta(days=200)
    course(
        personas["owner"],
        opened=start,
        phq9=[(start, 16), (start + dt.timedelta(days=120), 5)],
        closed=start + dt.timedelta(days=130),
        end_reason="mutual",
    )
    facts.refresh(personas["clinic"])
    page = spanish_page(client, personas["admin"], reverse("reports"))
    for spanish in (
        "Informes",
        "Período y filtros",
        "Cómo se define cada cifra",
        "Exportaciones",
        "cifras al",
    ):
        assert spanish in page
    for english in ("Period and filters", "How each figure is defined", "figures as of", "Start export"):
        assert english not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "spanish", "english"),
    [
        ("clinic-settings", "Umbrales de riesgo", "Risk thresholds"),
        (
            "clinic-settings-people",
            "Invitar a un/a terapeuta o supervisor/a",
            "Invite a clinician or supervisor",
        ),
        ("clinic-settings-thresholds", "Guardar los umbrales", "Save the thresholds"),
    ],
)
def test_the_clinic_settings_pages_speak_spanish(client, personas, name, spanish, english):
    page = spanish_page(client, personas["admin"], reverse(name))
    assert "Configuración de la clínica" in page and spanish in page
    assert "Clinic settings" not in page and english not in page
