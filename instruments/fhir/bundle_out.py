"""A whole episode as one FHIR R4 Bundle: the client as a Patient carrying the clinic's identifier, every
submitted check-in's QuestionnaireResponses (canonical Questionnaire references, at the pinned version)
and one score Observation per scale, LOINC-coded where the measure has a code and `derivedFrom` its
response. Scores are recomputed from the stored answers against the pinned definitions."""

from fhir.resources.R4B.bundle import Bundle

from care.models import CheckIn, Client, Episode
from instruments.fhir.common import uuid_urn, validate
from instruments.fhir.responses import patient_entry, response_resource, score_observation
from instruments.library import InstrumentResolver
from instruments.scoring import score


def episode_to_bundle(episode: Episode, checkins: list[CheckIn]) -> dict:
    """`checkins` are the episode's (any order; only submitted ones are exported). Raises LookupError
    when a check-in's pinned definition is no longer available as it was asked."""
    return _bundle(episode.client, checkins, {"system": "urn:attune:episode", "value": str(episode.pk)})


def client_to_bundle(client: Client, checkins: list[CheckIn]) -> dict:
    """A client's record: the submitted check-ins given (those of the episodes the reader may see)."""
    return _bundle(client, checkins, {"system": "urn:attune:client", "value": str(client.pk)})


def _bundle(client: Client, checkins: list[CheckIn], identifier: dict) -> dict:
    patient = patient_entry(client)
    subject = {"reference": patient["fullUrl"]}
    resolver = InstrumentResolver(client.clinic_id)
    entries: list[dict] = [patient]
    submitted = [c for c in checkins if c.status == CheckIn.Status.SUBMITTED]
    for checkin in sorted(submitted, key=lambda c: (c.submitted_at, c.pk)):
        entries += _checkin_entries(checkin, resolver, subject)
    bundle = {"resourceType": "Bundle", "type": "collection", "identifier": identifier, "entry": entries}
    validate(Bundle, bundle, "Exported Bundle")
    return bundle


def _checkin_entries(checkin: CheckIn, resolver: InstrumentResolver, subject: dict) -> list[dict]:
    authored = checkin.submitted_at.isoformat() if checkin.submitted_at else ""
    pins = checkin.instrument_hashes or {}
    entries: list[dict] = []
    for key, version in sorted((checkin.instrument_versions or {}).items()):
        instrument = resolver.get(key, version, pins.get(key))
        if instrument is None:
            raise LookupError(f"check-in {checkin.pk}: {key} v{version} is not available as it was asked")
        answers = (checkin.answers or {}).get(key) or {}
        response_url = uuid_urn("checkin", checkin.pk, key, "response")
        response = response_resource(instrument, answers, completed=True, subject=subject, authored=authored)
        response["identifier"] = {"system": "urn:attune:checkin", "value": f"{checkin.pk}:{key}"}
        entries.append({"fullUrl": response_url, "resource": response})
        for result in score(instrument, answers):
            scale = next(s for s in instrument.scales if s.key == result.scale)
            observation = score_observation(
                instrument, scale, result, subject=subject, authored=authored, response_url=response_url
            )
            entries.append(
                {"fullUrl": uuid_urn("checkin", checkin.pk, key, scale.key), "resource": observation}
            )
    return entries
