"""Model rules of the criteria app: validation in clean(), constraints, frozen published sets."""

from decimal import Decimal as D
from decimal import localcontext

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from criteria.exceptions import CriteriaSetFrozen
from criteria.models import CriteriaSet, Criterion, Variable

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(trial):
    return CriteriaSet.objects.create(trial=trial, version=2)


def _criterion(criteria_set, **changes) -> Criterion:
    fields = {
        "code": "I99",
        "kind": "inclusion",
        "label": "Neutrophils above 1.5",
        "protocol_wording": "Neutrophile granulocytes > 1.5 x 109/l",
        "expression": {"variable": "neutrophils", "operator": "gt", "value": "1.5"},
        "applies_if": [],
    }
    return Criterion(criteria_set=criteria_set, **(fields | changes))


def test_a_valid_criterion_passes_clean(draft):
    _criterion(draft).full_clean()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"expression": {"variable": "neutrophils", "operator": "is_true", "value": None}},
            'does not fit number variable "neutrophils"',
        ),
        (
            {"expression": {"variable": "neutrophils", "operator": "gt", "value": "lots"}},
            "neutrophils",
        ),
        ({"expression": {"variable": "her2_status", "operator": "eq", "value": "maybe"}}, "maybe"),
        (
            {"expression": {"variable": "nonsense", "operator": "gt", "value": "1"}},
            'unknown variable "nonsense"',
        ),
        (
            {"applies_if": [{"variable": "nonsense", "operator": "is_true", "value": None}]},
            'unknown variable "nonsense"',
        ),
    ],
)
def test_clean_rejects_a_criterion_that_does_not_fit_its_variables(draft, changes, message):
    with pytest.raises(ValidationError) as rejected:
        _criterion(draft, **changes).full_clean()
    assert message in str(rejected.value)


def test_code_is_unique_within_a_set(draft):
    _criterion(draft).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _criterion(draft).save()


def test_only_one_published_set_per_trial(trial, draft):
    draft.status = CriteriaSet.Status.PUBLISHED
    with pytest.raises(IntegrityError), transaction.atomic():
        draft.save()


def test_criteria_of_a_published_set_cannot_be_saved_or_deleted(trial):
    published = trial.criteria_sets.get(status="published")
    criterion = published.criteria.get(code="I13")
    criterion.expression = {"variable": "neutrophils", "operator": "gt", "value": "1.0"}
    with pytest.raises(CriteriaSetFrozen):
        criterion.save()
    with pytest.raises(CriteriaSetFrozen):
        criterion.delete()
    with pytest.raises(CriteriaSetFrozen):
        published.delete()
    assert published.criteria.get(code="I13").expression["value"] == "1.5"


def test_criteria_of_a_draft_can_change(draft):
    criterion = _criterion(draft)
    criterion.save()
    criterion.label = "changed"
    criterion.save()
    criterion.delete()
    assert not draft.criteria.exists()


def test_a_variables_bounds_do_not_depend_on_the_callers_decimal_context():
    # As the database gives them back: padded to 4 places. A precision of 3 made 1.2345 1.23.
    variable = Variable(
        key="inr", label="INR", data_type="number", section="labs",
        minimum=D("1.2345"), maximum=D("20.0000"),
    )  # fmt: skip
    with localcontext(prec=3):
        spec = variable.as_spec()
    assert (spec.minimum, spec.maximum) == (D("1.2345"), D("20"))
