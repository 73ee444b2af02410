"""The screening app's models, split by subject so each file stays readable:

- `referrals`: `Candidate`, `ScreeningNumberCounter`, `Screening` and its `DERIVED` fields, the
  rows the nurse enters (kept in django-simple-history);
- `records`: `RulesSnapshot`, `Decision`, `FailedCriterion`, `ChainHead`, `Signature`,
  `SignatureAttempt`, the append-only audit records.

Import from here (`from screening.models import Decision`), not from the files: this is the
app's models module, and where a model is defined may change again. Every model still belongs
to the `screening` app, so its table, migrations and string references ("Decision") are as
they were. The append-only base model is `trialsite.append_only.AppendOnlyModel`.
"""

from screening.models.records import (
    ChainHead,
    Decision,
    FailedCriterion,
    RulesSnapshot,
    Signature,
    SignatureAttempt,
)
from screening.models.referrals import (
    DERIVED,
    Candidate,
    # Made by django-simple-history, which puts each history model next to its model.
    HistoricalCandidate,
    HistoricalScreening,
    Screening,
    ScreeningNumberCounter,
)

__all__ = [
    "DERIVED",
    "Candidate",
    "ChainHead",
    "Decision",
    "FailedCriterion",
    "HistoricalCandidate",
    "HistoricalScreening",
    "RulesSnapshot",
    "Screening",
    "ScreeningNumberCounter",
    "Signature",
    "SignatureAttempt",
]
