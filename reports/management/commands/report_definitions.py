from django.core.management.base import BaseCommand, CommandError

from reports.definitions_doc import START, doc_path, with_definitions


class Command(BaseCommand):
    help = (
        "Write the measure definitions in docs/reports.md from reports/measures.py (--check: only compare)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if docs/reports.md is out of date.")

    def handle(self, *args, check: bool = False, **options):
        path = doc_path()
        document = path.read_text(encoding="utf-8")
        if START not in document:
            raise CommandError(f"{path} has no {START} marker to write between.")
        wanted = with_definitions(document)
        if check:
            if wanted != document:
                raise CommandError(f"{path} is out of date: run manage.py report_definitions.")
            self.stdout.write("docs/reports.md matches the measure registry.")
            return
        path.write_text(wanted, encoding="utf-8")
        self.stdout.write(f"Wrote the measure definitions to {path}.")
