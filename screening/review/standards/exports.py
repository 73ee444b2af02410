"""One entry point for every standards file: build it for a scope and, when it holds
subject data, write the access log first (one row per candidate in the file, like the log
export), in one transaction, so no file leaves that was not logged."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from screening.review.standards import fhir, odm, sdtm
from screening.review.standards.scope import Scope
from trialsite.access_log import candidate_access_record_many

EXPORT_PERMISSION = "screening.export_screening_log"


@dataclass(frozen=True)
class Kind:
    label: str
    extension: str
    content_type: str
    subject_data: bool


KINDS = {
    "ti-csv": Kind("SDTM TI (criteria), CSV", "csv", "text/csv; charset=us-ascii", False),
    "ti-xpt": Kind("SDTM TI (criteria), SAS transport v5", "xpt", "application/x-sas-xport", False),
    "ie-csv": Kind("SDTM IE (criteria not met), CSV", "csv", "text/csv; charset=us-ascii", True),
    "ie-xpt": Kind(
        "SDTM IE (criteria not met), SAS transport v5", "xpt", "application/x-sas-xport", True
    ),
    "fhir": Kind(
        "FHIR R4 Bundle: ResearchStudy, Group, ResearchSubjects",
        "json",
        "application/fhir+json",
        True,
    ),
    "odm": Kind(
        "CDISC ODM 1.3.2: values, audit records, signatures", "xml", "application/xml", True
    ),
}


@dataclass(frozen=True)
class StandardsFile:
    filename: str
    content_type: str
    content: bytes
    screening_numbers: tuple[str, ...]


def standards_file_build(*, kind: str, scope: Scope) -> StandardsFile:
    """The file of `kind` (a key of KINDS) for `scope`, and the candidates it holds. Reads only."""
    content, numbers = _content(kind, scope)
    stem = f"{scope.trial.registry_id}-v{scope.version}-{kind.split('-')[0]}"
    filename = f"{stem}-{timezone.localdate():%Y-%m-%d}.{KINDS[kind].extension}"
    return StandardsFile(filename, KINDS[kind].content_type, content, tuple(numbers))


@transaction.atomic
def standards_file_export(*, kind: str, scope: Scope, user, path: str) -> StandardsFile:
    """Build the file and log `user` as shown every candidate in it (at `path`, the page or
    command that asked). Out: the file. Writes nothing but the access log."""
    built = standards_file_build(kind=kind, scope=scope)
    candidate_access_record_many(user=user, screening_numbers=built.screening_numbers, path=path)
    return built


def _content(kind: str, scope: Scope) -> tuple[bytes, list[str]]:
    if kind in ("ti-csv", "ti-xpt", "ie-csv", "ie-xpt"):
        dataset = sdtm.ti_dataset(scope) if kind.startswith("ti") else sdtm.ie_dataset(scope)
        numbers = [row["USUBJID"] for row in dataset.rows] if kind.startswith("ie") else []
        writer = sdtm.dataset_csv if kind.endswith("csv") else sdtm.dataset_xpt
        return writer(dataset), list(dict.fromkeys(numbers))
    if kind == "fhir":
        bundle = fhir.research_bundle(scope)
        numbers = [
            entry.resource.identifier[0].value
            for entry in bundle.entry
            if entry.resource.resource_type == "ResearchSubject"
        ]
        return bundle.json(indent=2, ensure_ascii=False).encode("utf-8"), numbers
    if kind == "odm":
        return odm.odm_document(scope)
    raise KeyError(kind)
