"""Import FHIR QuestionnaireResponses (one, or a Bundle of them) into an episode as scored check-ins.

    manage.py import_responses responses.json --episode 12 [--questionnaire their-phq9.json]

Answers are matched by linkId, or by LOINC item code when the linkIds differ (give the questionnaire the
responses were written against with --questionnaire). Anything unmatched is refused with a list, and
nothing is stored. The same size limit and text checks as load_instrument."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from care.models import Episode
from instruments import fhir
from instruments.library import DefinitionError, parse_definition_text
from instruments.response_import import responses_import
from instruments.services import MAX_DEFINITION_BYTES, definition_text


def _read(path: Path):
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_DEFINITION_BYTES + 1)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error}") from error
    return parse_definition_text(definition_text(content), filename=path.name)


class Command(BaseCommand):
    help = "Import FHIR QuestionnaireResponses into an episode as scored check-ins."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--episode", type=int, required=True, help="The episode's id.")
        parser.add_argument("--questionnaire", type=Path, help="The questionnaire the responses answer.")

    def handle(self, *args, path: Path, episode: int, questionnaire: Path | None, **options):
        target = Episode.objects.select_related("client").filter(pk=episode).first()
        if target is None:
            raise CommandError(f"No episode with id {episode}.")
        try:
            source = fhir.questionnaire_to_instrument(_read(Path(questionnaire))) if questionnaire else None
            created = responses_import(
                episode=target, data=_read(path), source=source, label="manage.py import_responses"
            )
        except DefinitionError as error:
            raise CommandError("\n".join(error.problems)) from error
        self.stdout.write(f"Imported {len(created)} check-in(s) into episode {target.pk}.")
