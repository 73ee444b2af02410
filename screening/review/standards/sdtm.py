"""CDISC SDTM TI (trial inclusion/exclusion criteria) and IE (the criteria each screened
subject did not meet), as CSV and as SAS transport version 5 (XPT).

TI has one row per criterion of the version. IE has, per decided episode in the scope, one
row per criterion its current decision failed: an inclusion not met (IEORRES "N") or an
exclusion that applies ("Y"); an eligible patient has none, as SDTM expects. Texts follow
`sdtm_text`; both files hold the same values.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyreadstat

from screening.failures import failed_results
from screening.review.standards.rule_text import NotExpressible, criterion_expression
from screening.review.standards.scope import Scope, scope_episodes
from screening.review.standards.sdtm_text import sdtm_text, short_names


@dataclass(frozen=True)
class Column:
    name: str
    label: str  # at most 40 characters in XPT v5
    numeric: bool = False


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    columns: tuple[Column, ...]
    rows: list[dict]


TI_COLUMNS = (
    Column("STUDYID", "Study Identifier"),
    Column("DOMAIN", "Domain Abbreviation"),
    Column("IETESTCD", "Incl/Excl Criterion Short Name"),
    Column("IETEST", "Inclusion/Exclusion Criterion"),
    Column("IECAT", "Inclusion/Exclusion Category"),
    Column("TIRL", "Inclusion/Exclusion Criterion Rule"),
    Column("TIVERS", "Protocol Criteria Versions"),
)
IE_COLUMNS = (
    Column("STUDYID", "Study Identifier"),
    Column("DOMAIN", "Domain Abbreviation"),
    Column("USUBJID", "Unique Subject Identifier"),
    Column("IESEQ", "Sequence Number", numeric=True),
    Column("IETESTCD", "Incl/Excl Criterion Short Name"),
    Column("IETEST", "Inclusion/Exclusion Criterion"),
    Column("IECAT", "Inclusion/Exclusion Category"),
    Column("IEORRES", "I/E Criterion Original Result"),
    Column("IESTRESC", "I/E Criterion Result in Std Format"),
    Column("VISITNUM", "Visit Number", numeric=True),
    Column("IEDTC", "Date/Time of Collection"),
)


def study_id(scope: Scope) -> str:
    """The sponsor's protocol id where the trial has one (what the sponsor's own datasets
    carry), else the registry id."""
    return sdtm_text(scope.trial.sponsor_protocol_id or scope.trial.registry_id)


def ti_dataset(scope: Scope) -> Dataset:
    criteria = scope.protocol["criteria_set"]["criteria"]
    codes = short_names([c["code"] for c in criteria])
    rows = [
        {
            "STUDYID": study_id(scope),
            "DOMAIN": "TI",
            "IETESTCD": codes[c["code"]],
            "IETEST": sdtm_text(c["protocol_wording"]),
            "IECAT": c["kind"].upper(),
            "TIRL": sdtm_text(_rule(c, scope.types)),
            "TIVERS": str(scope.version),
        }
        for c in criteria
    ]
    return Dataset("TI", "Trial Inclusion/Exclusion Criteria", TI_COLUMNS, rows)


def _rule(criterion: dict, types: dict) -> str:
    try:
        return criterion_expression(criterion, types)
    except NotExpressible:
        return ""


def ie_dataset(scope: Scope) -> Dataset:
    """One row per failed criterion of each decided episode's current decision."""
    criteria = {c["code"]: c for c in scope.protocol["criteria_set"]["criteria"]}
    codes = short_names(list(criteria))
    rows, sequence = [], {}
    for episode in scope_episodes(scope).filter(current_decision__isnull=False):
        decision, subject = episode.current_decision, episode.candidate.screening_number
        for result in failed_results(decision.results):
            sequence[subject] = sequence.get(subject, 0) + 1
            answer = "N" if result["kind"] == "inclusion" else "Y"
            rows.append(
                {
                    "STUDYID": study_id(scope),
                    "DOMAIN": "IE",
                    "USUBJID": sdtm_text(subject),
                    "IESEQ": sequence[subject],
                    "IETESTCD": codes[result["code"]],
                    "IETEST": sdtm_text(criteria[result["code"]]["protocol_wording"]),
                    "IECAT": result["kind"].upper(),
                    "IEORRES": answer,
                    "IESTRESC": answer,
                    "VISITNUM": episode.episode,
                    "IEDTC": iso_utc(decision.recorded_at),
                }
            )
    return Dataset("IE", "Inclusion/Exclusion Criteria Not Met", IE_COLUMNS, rows)


def iso_utc(moment: dt.datetime) -> str:
    """ISO 8601 in UTC to the second, with its zone: "2026-11-15T12:00:00Z"."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dataset_csv(dataset: Dataset) -> bytes:
    """The dataset as CSV: variable names on the first line, values exactly as in the XPT."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([c.name for c in dataset.columns])
    for row in dataset.rows:
        writer.writerow([row[c.name] for c in dataset.columns])
    return text.getvalue().encode("ascii")


def dataset_xpt(dataset: Dataset) -> bytes:
    """The dataset as SAS transport version 5, with its name, label and variable labels.

    pyreadstat sets a character variable's length to its longest value (what the FDA asks:
    no longer than needed) and offers no way to set it otherwise; an empty column is 1 long.
    """
    frame = pd.DataFrame(
        {
            c.name: pd.Series(
                [row[c.name] for row in dataset.rows], dtype="float64" if c.numeric else object
            )
            for c in dataset.columns
        }
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{dataset.name.lower()}.xpt"
        pyreadstat.write_xport(
            frame,
            path,
            file_label=dataset.label,
            column_labels=[c.label for c in dataset.columns],
            table_name=dataset.name,
            file_format_version=5,
        )
        return path.read_bytes()
