"""Answers in and out: a QuestionnaireResponse → raw answers, and a check-in → a Bundle of
QuestionnaireResponses with one score Observation per scale."""

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from care.models import CheckIn, Client
from instruments.fhir.common import (
    CLIENT_REFERENCE_SYSTEM,
    LOINC,
    UCUM,
    canonical,
    link,
    option_coding,
    uuid_urn,
    validate,
)
from instruments.library import DefinitionError, get_instrument
from instruments.schemas import Instrument, Item, Scale, ScoreResult
from instruments.scoring import score

# ---------------------------------------------------------------------------------------------- in


def questionnaire_response_to_answers(
    instrument: Instrument, data: Any, *, source: Instrument | None = None, strict: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """A FHIR QuestionnaireResponse for `instrument` → raw answers {item key: value}, plus warnings.

    An answer is matched by linkId, else by LOINC item code: the linkId itself ("/44250-9", "44250-9"),
    or the code `source` (the questionnaire the response was written against, when its linkIds differ
    from ours: "PHQ.1" vs "PHQ-9.1") gives that linkId. With `strict`, answers that match no question are
    refused with the list of them, never dropped. Stored totals are ignored on purpose: scores are always
    computed from answers."""
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        raise DefinitionError(["This is not a FHIR QuestionnaireResponse."])
    validate(QuestionnaireResponse, data, "QuestionnaireResponse")
    by_link = {link(i): i for i in instrument.items}
    by_code = {i.code: i for i in instrument.items if i.code}
    source_codes = {link(i): i.code for i in (source.items if source else ()) if i.code}

    def find(link_id: str) -> Item | None:
        code = source_codes.get(link_id) or link_id.lstrip("/")
        return by_link.get(link_id) or by_code.get(code)

    answers: dict[str, Any] = {}
    warnings: list[str] = []
    problems: list[str] = []
    unmatched: list[str] = []

    def walk(items: list | None) -> None:
        for node in items or []:
            link_id = str(node.get("linkId"))
            item = find(link_id)
            given = node.get("answer") or []
            if item is not None and given and (item.key in answers or len(given) > 1):
                problems.append(f"{link_id!r} is answered more than once.")
            for answer in given:
                if not any(k.startswith("value") for k in answer):
                    problems.append(f"An answer to {link_id!r} has no value.")
                elif item is not None:
                    answers[item.key] = _answer_value(item, answer, warnings)
                walk(answer.get("item"))
            if item is None and given:
                unmatched.append(link_id)
                warnings.append(f"Answer to {link_id!r} is not a question of {instrument.key}; ignored.")
            walk(node.get("item"))

    walk(data.get("item"))
    if strict:
        # An answer we could not read as one of the question's answers is refused, not stored as text.
        problems += [w for w in warnings if "is not one of its options" in w or "are not read" in w]
    if strict and unmatched:
        names = ", ".join(repr(u[:64]) for u in unmatched[:20])
        problems.append(
            f"These answers match no question of {instrument.key} by linkId or LOINC code: {names}."
        )
    if problems:
        raise DefinitionError(problems[:10])
    return answers, warnings


def _answer_value(item: Item, answer: dict, warnings: list[str]) -> Any:
    if "valueCoding" in answer and item.type == "choice":
        return _choice_value(item, answer["valueCoding"] or {}, warnings)
    if "valueBoolean" in answer:
        return 1 if answer["valueBoolean"] else 0
    for name in ("valueInteger", "valueString", "valueDecimal"):
        if name in answer:
            value = answer[name]
            return int(value) if name == "valueDecimal" and value == int(value) else value
    kinds = sorted(k for k in answer if k.startswith("value"))
    warnings.append(f"{item.key}: answers of kind {kinds} are not read.")
    return None


def _choice_value(item: Item, coding: dict, warnings: list[str]) -> Any:
    """The option a coding names: by code (and system, when both have one), else by English display."""
    for option in item.options:
        same_code = coding.get("code") is not None and coding.get("code") in (option.code, str(option.value))
        if same_code and (not coding.get("system") or not option.system or coding["system"] == option.system):
            return option.value
    for option in item.options:
        if coding.get("display") and coding["display"] == option.label["en"]:
            return option.value
    warnings.append(f"{item.key}: answer {coding.get('code')!r} is not one of its options.")
    return coding.get("code")


# --------------------------------------------------------------------------------------------- out


def patient_entry(client: Client) -> dict:
    """The client as a Patient carrying only the clinic's pseudonymous reference (no name, no birth date)."""
    patient = {
        "resourceType": "Patient",
        "identifier": [
            {
                "use": "official",
                "system": CLIENT_REFERENCE_SYSTEM,
                "value": client.reference,
                "assigner": {"display": client.clinic.name},
            }
        ],
    }
    return {"fullUrl": uuid_urn("client", client.pk), "resource": patient}


def checkin_to_questionnaire_response(checkin: CheckIn) -> dict:
    """A check-in → a FHIR Bundle (collection): one QuestionnaireResponse per instrument it used, and one
    Observation per score (LOINC-coded where the measure has a code: PHQ-9 total 44261-6, GAD-7 70274-6).

    Each instrument is read at the version the check-in recorded, and scores are computed from the
    stored answers. The client is named only by the clinic's pseudonymous reference."""
    client = checkin.session.episode.client
    patient = patient_entry(client)
    subject = {"reference": patient["fullUrl"]}
    authored = (checkin.submitted_at or checkin.sent_at).isoformat()
    completed = checkin.status == CheckIn.Status.SUBMITTED
    entries: list[dict] = [patient]
    for key, version in sorted((checkin.instrument_versions or {}).items()):
        pin = (checkin.instrument_hashes or {}).get(key)
        instrument = get_instrument(key, version, clinic_id=client.clinic_id, digest=pin)
        answers = (checkin.answers or {}).get(key) or {}
        response_url = uuid_urn("checkin", checkin.pk, key, "response")
        response = response_resource(
            instrument, answers, completed=completed, subject=subject, authored=authored
        )
        entries.append({"fullUrl": response_url, "resource": response})
        if not completed:
            continue
        for result in score(instrument, answers):
            scale = next(s for s in instrument.scales if s.key == result.scale)
            observation = score_observation(
                instrument, scale, result, subject=subject, authored=authored, response_url=response_url
            )
            entries.append(
                {"fullUrl": uuid_urn("checkin", checkin.pk, key, scale.key), "resource": observation}
            )
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "identifier": {"system": "urn:attune:checkin", "value": str(checkin.pk)},
        "entry": entries,
    }
    validate(Bundle, bundle, "Exported Bundle")
    return bundle


def response_resource(
    instrument: Instrument, answers: dict, *, completed: bool, subject: dict, authored: str
) -> dict:
    items = [
        _response_item(instrument, item, answers[item.key])
        for item in instrument.items
        if answers.get(item.key) not in (None, "")
    ]
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{canonical(instrument)}|{instrument.version}",
        "status": "completed" if completed else "in-progress",
        "subject": subject,
        "authored": authored,
    }
    if items:
        response["item"] = items
    return response


def _response_item(instrument: Instrument, item: Item, value: Any) -> dict:
    node: dict[str, Any] = {"linkId": link(item), "text": item.text["en"]}
    if item.type == "choice":
        option = next(o for o in item.options if o.value == value)
        node["answer"] = [{"valueCoding": option_coding(instrument, item, option)}]
    elif item.type == "yesno":
        node["answer"] = [{"valueBoolean": bool(value)}]
    elif item.type == "text":
        node["answer"] = [{"valueString": value}]
    else:
        node["answer"] = [{"valueInteger": value}]
    return node


def score_observation(
    instrument: Instrument,
    scale: Scale,
    result: ScoreResult,
    *,
    subject: dict,
    authored: str,
    response_url: str,
) -> dict:
    """One score as a survey Observation, LOINC-coded where the scale has a code."""
    coding = (
        {"system": LOINC, "code": scale.code, "display": scale.label["en"]}
        if scale.code
        else {
            "system": f"urn:attune:instrument:{instrument.key}",
            "code": f"{instrument.key}.{scale.key}",
            "display": scale.label["en"],
        }
    )
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"}
                ]
            }
        ],
        "code": {"coding": [coding], "text": scale.label["en"]},
        "subject": subject,
        "effectiveDateTime": authored,
        "valueQuantity": {"value": result.value, "unit": "{score}", "system": UCUM, "code": "{score}"},
        "derivedFrom": [{"reference": response_url}],
    }
    if result.band:
        observation["interpretation"] = [{"text": result.band}]
    return observation
