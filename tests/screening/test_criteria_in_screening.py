"""The criteria as screening uses them: the impact preview of a draft, decisions kept as they
were after a new version, the rule in words beside the label, and the screening form's limits
on numbers (the criteria tests themselves import nothing of screening)."""

import json
from dataclasses import replace

import pytest
from django.urls import reverse
from lxml import html

from criteria.describe import rules_in_words
from criteria.protocol import RuleSet, protocol_from_dict
from criteria.selectors import criteria_set_rules
from criteria.services import (
    criteria_set_draft_create,
    criteria_set_publish,
    criterion_save,
    protocol_load,
)
from screening import services
from screening.impact import impact_preview
from screening.intake.forms import ScreeningForm
from screening.models import Decision
from tests.cases import (
    PROTOCOL_FILE,
    eligible_values,
    fill,
    lvef_amended,
    record_via_pages,
    reevaluate_via_pages,
    register,
)

pytestmark = pytest.mark.django_db

SHIPPED = protocol_from_dict(json.loads(PROTOCOL_FILE.read_text(encoding="utf-8")))[1]
# The shipped variables without their plausible ranges, as a protocol may leave them out.
UNBOUNDED = RuleSet(
    SHIPPED.trial,
    SHIPPED.version,
    {k: replace(s, minimum=None, maximum=None) for k, s in SHIPPED.variables.items()},
    SHIPPED.criteria,
)


@pytest.fixture
def draft(trial, criteria_admin):
    return criteria_set_draft_create(trial=trial, created_by=criteria_admin)


def _protocol() -> dict:
    return json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))


def _set_lvef_threshold(draft, threshold: str, user) -> None:
    i18 = draft.criteria.get(code="I18")
    for name, value in lvef_amended(i18.as_rule_dict(), threshold).items():
        setattr(i18, name, value)
    criterion_save(criterion=i18, changed_by=user, reason="Amendment 3: LVEF 55 %")


def _screen(trial, nurse, decide=False, **changes):
    candidate = register(
        trial, nurse, initials="XY", referral_date=eligible_values()["screening_date"]
    )
    episode = fill(candidate.screenings.get(), nurse, **changes)
    if decide:
        services.decision_record(screening=episode, recorded_by=nurse)
    return candidate


def test_impact_preview_lists_exactly_the_episodes_that_flip(trial, nurse, draft, criteria_admin):
    flipping = [_screen(trial, nurse, lvef_percent="52") for _ in range(2)]
    _screen(trial, nurse, lvef_percent="60")
    _screen(
        trial,
        nurse,
        her2_status="negative",
        lvef_percent=None,
        dyspnoea_from_malignancy_or_oxygen_need=None,
    )
    _set_lvef_threshold(draft, "55", criteria_admin)

    preview = impact_preview(draft)

    assert preview.evaluated == 4
    assert [c.screening_number for c in preview.changes] == [c.screening_number for c in flipping]
    assert {(c.old_outcome, c.new_outcome, c.causes) for c in preview.changes} == {
        ("eligible", "ineligible", ("I18",))
    }
    assert preview.transitions == {("eligible", "ineligible"): 2}


def test_impact_preview_query_count_does_not_grow(
    trial, nurse, draft, criteria_admin, django_assert_max_num_queries
):
    for _ in range(3):
        _screen(trial, nurse)
    with django_assert_max_num_queries(12) as few:
        impact_preview(draft)
    for _ in range(12):
        _screen(trial, nurse)
    with django_assert_max_num_queries(len(few.captured_queries)):
        impact_preview(draft)


def test_old_decisions_render_identically_after_a_new_version(
    trial, nurse, nurse_client, criteria_admin
):
    candidate = _screen(trial, nurse, decide=True, lvef_percent="52")
    url = reverse("screening:candidate-detail", args=[candidate.screening_number])

    def decision_html() -> str:
        page = html.fromstring(nurse_client.get(url).content)
        (decision,) = page.xpath('//*[@data-testid="decision"]')
        return html.tostring(decision, encoding="unicode")

    before = decision_html()
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    _set_lvef_threshold(draft, "55", criteria_admin)
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="A3")
    assert decision_html() == before
    assert "Eligible" in before


def test_reevaluation_under_new_criteria_adds_a_decision_and_keeps_the_old(
    trial, nurse, criteria_admin
):
    candidate = _screen(trial, nurse, decide=True, lvef_percent="52")
    episode = candidate.screenings.get()
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    _set_lvef_threshold(draft, "55", criteria_admin)
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="A3")

    newer = services.decision_reevaluate(screening=episode, recorded_by=nurse)

    outcomes = list(
        episode.decisions.order_by("sequence").values_list("criteria_set_version", "outcome")
    )
    assert outcomes == [(1, "eligible"), (2, "ineligible")]
    assert newer.previous_hash == Decision.objects.get(sequence=1).entry_hash


@pytest.fixture
def amended(trial, nurse, criteria_admin):
    """An episode decided eligible with LVEF 52 %, then criteria v2 published (LVEF > 55 %)."""
    candidate = _screen(trial, nurse, decide=True, lvef_percent="52")
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    _set_lvef_threshold(draft, "55", criteria_admin)
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="A3")
    return candidate.screenings.get()


def _outcomes(episode) -> list:
    decisions = episode.decisions.order_by("sequence")
    return list(decisions.values_list("criteria_set_version", "outcome"))


def test_a_reevaluation_shows_the_new_outcome_beside_the_earlier_and_records_nothing(
    nurse_client, amended
):
    url = reverse("screening:decision-reevaluate", args=[amended.candidate.screening_number, 1])
    shown = nurse_client.post(url, {"screen_failure_reason": ""})
    page = shown.content.decode()

    assert shown.templates[0].name == "screening/decision_confirm.html"
    assert "You are about to record" in page
    assert 'data-testid="confirm-outcome">Ineligible' in page
    earlier = page[page.index('data-testid="confirm-earlier"') :]
    assert "criteria version 1" in earlier[:300] and ">Eligible<" in earlier[:400]
    assert _outcomes(amended) == [(1, "eligible")]


def test_a_confirmed_reevaluation_is_recorded_and_keeps_the_earlier_decision(nurse_client, amended):
    _, confirmed = reevaluate_via_pages(nurse_client, amended)

    assert "Re-evaluated under criteria v2: Ineligible" in confirmed.content.decode()
    assert _outcomes(amended) == [(1, "eligible"), (2, "ineligible")]


def test_a_reevaluation_confirmed_after_the_criteria_changed_again_records_nothing(
    nurse_client, amended, trial, criteria_admin
):
    url = reverse("screening:decision-reevaluate", args=[amended.candidate.screening_number, 1])
    shown = nurse_client.post(url, {"screen_failure_reason": ""})
    draft = criteria_set_draft_create(trial=trial, created_by=criteria_admin)
    criteria_set_publish(criteria_set=draft, published_by=criteria_admin, reason="v3")

    refused = nurse_client.post(url, shown.context["form"].initial, follow=True)

    assert "Nothing was recorded: the values or the criteria changed" in refused.content.decode()
    assert _outcomes(amended) == [(1, "eligible")]


def test_nothing_to_reevaluate_under_the_criteria_it_was_decided_by(nurse_client, trial, nurse):
    episode = _screen(trial, nurse, decide=True).screenings.get()

    shown, confirmed = reevaluate_via_pages(nurse_client, episode)

    assert confirmed is None
    assert "was already decided under the published v1" in shown.content.decode()
    assert _outcomes(episode) == [(1, "eligible")]


def test_nurses_read_the_rule_in_words_beside_the_label(nurse_client, candidate, episode, nurse):
    fill(episode, nurse)
    page = nurse_client.get(
        reverse("screening:screening-form", args=[candidate.screening_number, 1])
    ).content.decode()
    assert "LVEF at least 50% (HER2-positive only)" in page
    assert "LVEF ≥ 50 %, when HER2 status is positive</div>" in page
    assert page.count('data-testid="rule-words"') == 37


def test_a_decision_shows_the_rule_it_used_after_an_amendment(
    nurse_client, candidate, episode, nurse
):
    fill(episode, nurse, lvef_percent="52")
    record_via_pages(nurse_client, episode)
    amended = _protocol()
    i18 = next(c for c in amended["criteria_set"]["criteria"] if c["code"] == "I18")
    i18.update(lvef_amended(i18, "55"))
    protocol_load(data=amended, source="amendment")
    detail = nurse_client.get(
        reverse("screening:candidate-detail", args=[candidate.screening_number])
    )
    content = detail.content.decode()
    assert "LVEF ≥ 50 %, when HER2 status is positive" in content  # the rule it was decided by
    assert "LVEF ≥ 55 %" not in content
    words = rules_in_words(criteria_set_rules(candidate.trial.criteria_sets.get(version=2)))
    assert words["I18"] == "LVEF ≥ 55 %, when HER2 status is positive"


@pytest.mark.parametrize(
    ("key", "typed", "error"),
    [
        # An integer field takes any whole number: refused by criteria.values.check_range.
        ("ecog_performance_status", "1000000000000000000000",
         "1000000000000000000000 is too large to work with"),
        ("ecog_performance_status", "-1000000000000000000000",
         '"-1000000000000000000000" is not a whole number: write digits only, like 2.'),
        ("ecog_performance_status", "999999999999999999999", None),
        # A number field is read by criteria.values.decimal_from_text, then refused the same way.
        ("neutrophils", "1000000000000000000000",
         "1000000000000000000000 × 10⁹/L is too large to work with"),
        ("neutrophils", "-1000000000000000000000,5",
         "-1000000000000000000000.5 × 10⁹/L is too large to work with"),
        ("neutrophils", "999999999999999999999,9", None),
        ("neutrophils", "1E+21", '"1E+21" is not a number: write one decimal separator, like '
         "1,4 or 1.4, or a whole number like 12."),
    ],
)  # fmt: skip
def test_the_screening_form_says_why_next_to_a_number_of_1e21_or_more(key, typed, error):
    form = ScreeningForm(data={key: typed}, rule_set=UNBOUNDED)
    assert form.is_valid() is (error is None)
    assert form.errors.get(key, []) == ([error] if error else [])
