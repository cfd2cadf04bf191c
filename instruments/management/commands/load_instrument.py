"""Load an instrument definition file (Attune YAML/JSON or a FHIR Questionnaire) into a clinic.

    manage.py load_instrument --clinic 1 path/to/srs-licensed.yaml [--key srs] [--definition-version 2] [--inactive]

The same checks as the admin page; a version already loaded is refused, never overwritten."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from care.models import Clinic
from instruments.library import DefinitionError
from instruments.services import MAX_DEFINITION_BYTES, instrument_definition_upload


class Command(BaseCommand):
    help = "Load an instrument definition (Attune YAML/JSON or FHIR Questionnaire JSON) into a clinic."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--clinic", type=int, required=True, help="The clinic's id.")
        parser.add_argument("--key", help="Override the instrument key in the file.")
        parser.add_argument(
            "--definition-version", dest="definition_version", help="Override the version in the file."
        )
        parser.add_argument("--inactive", action="store_true", help="Load it switched off.")

    def handle(self, *args, path: Path, clinic: int, key, definition_version, inactive, **options):
        try:
            target = Clinic.objects.get(pk=clinic)
        except Clinic.DoesNotExist as missing:
            raise CommandError(f"No clinic with id {clinic}.") from missing
        try:
            with path.open("rb") as handle:
                content = handle.read(MAX_DEFINITION_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            row, warnings = instrument_definition_upload(
                actor=None,
                clinic=target,
                content=content,
                filename=path.name,
                key=key,
                version=definition_version,
                activate=not inactive,
            )
        except DefinitionError as error:
            raise CommandError("\n".join(error.problems)) from error
        for warning in warnings:
            self.stderr.write(f"warning: {warning}")
        state = "switched off" if inactive else "in use"
        self.stdout.write(f"Loaded {row.key} v{row.version} into {target} ({state}).")
