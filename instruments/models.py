"""Instruments a clinic has loaded; shipped ones live as files in `definitions/` folders."""

from django.conf import settings
from django.db import models


class InstrumentDefinition(models.Model):
    """An instrument a clinic has loaded (e.g. a licensed scale, or a FHIR Questionnaire it imported).

    Rows are never edited in place: a new version is a new row, so old check-ins keep their meaning."""

    clinic = models.ForeignKey("care.Clinic", on_delete=models.CASCADE, related_name="instruments")
    key = models.CharField(max_length=64)
    version = models.CharField(max_length=32)
    definition = models.JSONField(help_text="A instruments.schemas.Instrument, as JSON.")
    active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["clinic", "key", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "key", "version"], name="instrument_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    def save(self, *args, **kwargs):
        # Immutable once stored: check-ins pin the definition by its content, so a change in place would
        # rewrite what old answers meant. Only `active` may change.
        fields = kwargs.get("update_fields")
        if self.pk is not None and (fields is None or set(fields) - {"active"}):
            stored = type(self).objects.filter(pk=self.pk).values("clinic_id", "key", "version", "definition")
            now = {
                "clinic_id": self.clinic_id,
                "key": self.key,
                "version": self.version,
                "definition": self.definition,
            }
            if stored and stored[0] != now:
                raise ValueError(
                    f"{self} is stored already; a changed definition is a new version (a new row)."
                )
        super().save(*args, **kwargs)


class ProgramMeasure(models.Model):
    """An outcome measure (instrument key, e.g. "phq9") a program switches on for its clients' check-ins.

    A program with none follows the clinic's measure schedule as it is; one with some asks those alone,
    each as often as the schedule says (every 4 sessions when the schedule does not name it)."""

    program = models.ForeignKey("care.Program", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)

    class Meta:
        ordering = ["program", "key"]
        constraints = [models.UniqueConstraint(fields=["program", "key"], name="program_measure_unique")]

    def __str__(self) -> str:
        return f"{self.key} in program {self.program_id}"
