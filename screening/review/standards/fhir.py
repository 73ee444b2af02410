"""An HL7 FHIR R4 (4.0.1) Bundle: the trial's ResearchStudy, the Group of its eligibility
characteristics under one criteria version, and a ResearchSubject per candidate in scope.

Built as JSON and parsed by `fhir.resources` 6.4.0, the last release whose default models are
R4 4.0.1 (6.5 moved to R4B, 7 and later to R5): a resource the model library refuses is never
served. R4's Group characteristic has no description or expression of its own, so the
protocol wording is the characteristic code's text and the rule goes in the core
`cqf-expression` extension as FHIRPath (`rule_text`). A subject is referred to by its
screening number only (a logical reference): no patient data leaves in this file.
"""

from __future__ import annotations

import uuid

from django.utils import timezone
from fhir.resources.bundle import Bundle

from screening.models import Decision, Screening
from screening.review.standards.rule_text import NotExpressible, criterion_expression
from screening.review.standards.scope import Scope, scope_episodes
from screening.review.standards.sdtm import iso_utc

EXPRESSION_EXTENSION = "http://hl7.org/fhir/StructureDefinition/cqf-expression"
DECIDED_AT_EXTENSION = "urn:trialsite:fhir:decision-recorded-at"
SCREENING_NUMBERS = "urn:trialsite:screening-number"
SPONSOR_PROTOCOL_IDS = "urn:trialsite:sponsor-protocol-id"
_IDS = uuid.UUID("6f1c6b1e-8d1a-4c55-9a52-2f3f7c1e5b10")  # namespace of this file's ids


def research_bundle(scope: Scope) -> Bundle:
    """The Bundle (type collection), validated by the model library."""
    study_url, group_url = _url("study", scope.trial.registry_id), _url("group", _key(scope))
    entries = [
        {"fullUrl": study_url, "resource": research_study(scope, group_url)},
        {"fullUrl": group_url, "resource": eligibility_group(scope)},
    ]
    episodes = newest_episodes(scope)
    saved = episodes_saved([e.pk for e in episodes if e.current_decision is None])
    for episode in episodes:
        number = episode.candidate.screening_number
        subject = research_subject(episode, study_url, saved=episode.pk in saved)
        entries.append({"fullUrl": _url("subject", number), "resource": subject})
    return Bundle.parse_obj(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": iso_utc(timezone.now()),
            "entry": entries,
        }
    )


def research_study(scope: Scope, group_url: str) -> dict:
    trial = scope.trial
    identifiers = [{"system": _registry_system(trial.registry_id), "value": trial.registry_id}]
    if trial.sponsor_protocol_id:
        identifiers.append({"system": SPONSOR_PROTOCOL_IDS, "value": trial.sponsor_protocol_id})
    return {
        "resourceType": "ResearchStudy",
        "identifier": identifiers,
        "title": trial.title,
        "status": "active",
        "enrollment": [{"reference": group_url, "display": f"criteria version {scope.version}"}],
    }


def eligibility_group(scope: Scope) -> dict:
    """One characteristic per criterion; an exclusion criterion has `exclude` true."""
    system = f"urn:trialsite:criteria:{scope.trial.registry_id}:v{scope.version}"
    return {
        "resourceType": "Group",
        "type": "person",
        "actual": False,
        "name": f"{scope.trial.registry_id} eligibility, criteria version {scope.version}",
        "characteristic": [
            _characteristic(c, system, scope.types)
            for c in scope.protocol["criteria_set"]["criteria"]
        ],
    }


def _characteristic(criterion: dict, system: str, types: dict) -> dict:
    characteristic = {
        "code": {
            "coding": [
                {"system": system, "code": criterion["code"], "display": criterion["label"]}
            ],
            "text": criterion["protocol_wording"],
        },
        "valueBoolean": True,
        "exclude": criterion["kind"] == "exclusion",
    }
    try:
        expression = criterion_expression(criterion, types)
    except NotExpressible:
        return characteristic
    characteristic["extension"] = [
        {
            "url": EXPRESSION_EXTENSION,
            "valueExpression": {"language": "text/fhirpath", "expression": expression},
        }
    ]
    return characteristic


def newest_episodes(scope: Scope) -> list[Screening]:
    """Each candidate's newest episode in scope: its status is the candidate's."""
    newest = {}
    for episode in scope_episodes(scope):
        newest[episode.candidate_id] = episode  # ordered by episode, so the last one wins
    return list(newest.values())


def episodes_saved(ids: list[int]) -> set[int]:
    """Of these episodes, those whose values a nurse has saved since they were started (a new
    episode already holds the candidate's sex, so its values alone cannot tell)."""
    changed = Screening.history.filter(id__in=ids, history_type="~")
    return set(changed.values_list("id", flat=True))


def subject_status(episode: Screening, *, saved: bool) -> str:
    """R4 ResearchSubject status: eligible or ineligible once decided (a screening closed
    incomplete with a reason is a screen failure: ineligible); screening once values have
    been saved; candidate before."""
    decision = episode.current_decision
    if decision is not None:
        return "eligible" if decision.outcome == Decision.Outcome.ELIGIBLE else "ineligible"
    return "screening" if saved else "candidate"


def research_subject(episode: Screening, study_url: str, *, saved: bool) -> dict:
    number = episode.candidate.screening_number
    identifier = {"system": SCREENING_NUMBERS, "value": number}
    subject = {
        "resourceType": "ResearchSubject",
        "identifier": [identifier],
        "status": subject_status(episode, saved=saved),
        "study": {"reference": study_url},
        "individual": {"identifier": identifier},
    }
    if episode.current_decision is not None:
        decided_at = iso_utc(episode.current_decision.recorded_at)
        subject["extension"] = [{"url": DECIDED_AT_EXTENSION, "valueDateTime": decided_at}]
    return subject


def _key(scope: Scope) -> str:
    return f"{scope.trial.registry_id}/v{scope.version}"


def _url(kind: str, name: str) -> str:
    # The same thing gets the same id in every export, so a receiver can update in place.
    return f"urn:uuid:{uuid.uuid5(_IDS, f'{kind}:{name}')}"


def _registry_system(registry_id: str) -> str:
    if registry_id.upper().startswith("NCT"):
        return "https://clinicaltrials.gov"
    return "urn:trialsite:registry-id"
