"""Hostile input everywhere a person or a script can type: the forms, the log-in, the search,
and the `screen` command. Never a 500 or a traceback, never an implausible stored value, and
markup is always shown as text."""

import datetime as dt
import io
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from criteria.selectors import criteria_set_published, criteria_set_rules
from criteria.values import check_range, value_from_json
from screening.intake.forms import NEVER_SUFFIX, UNIT_SUFFIX
from screening.models import Candidate, Decision
from tests.cases import eligible_values, record_via_pages, register

pytestmark = [pytest.mark.django_db]


# Each example reuses the test's client and rows; that is the point (state piles up as in use).
FUZZ = hypothesis_settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "{{ request.user }}{% debug %}",
]
# Numbers, dates, words and units that look almost right; then text no person types.
# fmt: off
NEAR_MISSES = [
    "NaN", "nan", "Infinity", "-Infinity", "inf", "1e309", "1E-400", "-0", "-1", "0", "1,5",
    "1_000", "0x10", "１２", "٣", "2026-02-30", "31/12/2020", "2026-13-01", "0000-00-00",
    "99999-01-01", "2026-11-20T10:00", "never", "yes", "no", "on", "true", "null", "None", "[]",
    "{}", "mg/dL", "µmol/L", "furlongs", "10^9/l", "%s%n", "💉",
]
# fmt: on
HOSTILE = [
    *MARKUP,
    *NEAR_MISSES,
    "'; DROP TABLE screening_decision; --",
    "1 OR 1=1",
    " 3 ",
    "\x00",
    "a\x00b",
    "\u202e",
    "9" * 400,
    "x" * 10_000,
    # Just inside and outside the lengths of stored text (history reasons, units, reasons).
    *("r" * 100, "u" * 200, "U" * 201, "w" * 500, "W" * 501),
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(3000, 1, 1)).map(str),
)
FIELD_VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))


def assert_safe_page(response, posted) -> str:
    """No server error, no traceback, and every posted piece of markup shown as text."""
    assert response.status_code < 500
    page = response.content.decode()
    assert "Traceback" not in page
    for value in posted.values() if isinstance(posted, dict) else posted:
        for text in value if isinstance(value, list) else [value]:
            if any(tag in text for tag in ("<script", "<img", "<svg")):
                assert text.strip() not in page
    return page


def assert_plausible(rule_set, values: dict) -> None:
    """Every stored answer reads back as its type, inside its plausible range."""
    for key, raw in values.items():
        spec = rule_set.variables[key]
        typed = value_from_json(spec, raw)
        if spec.data_type in ("number", "integer"):
            assert check_range(spec, Decimal(typed)) is None, (key, raw)
        if spec.data_type == "choice":
            assert typed in spec.choices, (key, raw)
        if spec.data_type == "date" and typed != "never":
            assert dt.date(1900, 1, 1) <= typed, (key, raw)


@pytest.fixture
def rule_set(trial):
    return criteria_set_rules(criteria_set_published(trial))


def _screening_keys(rule_set) -> list[str]:
    keys = ["change_reason", "not_a_field", "csrfmiddlewaretoken"]
    for spec in rule_set.variables.values():
        if not spec.derivation:
            keys += [spec.key, spec.key + UNIT_SUFFIX, spec.key + NEVER_SUFFIX]
    return keys


def _valid_screening_post() -> dict:
    """The complete eligible case as the screening form posts it."""
    data = {"change_reason": "correction"}
    for key, value in eligible_values().items():
        if isinstance(value, bool):
            data[key] = "yes" if value else "no"
        elif value == "never":
            data[key + NEVER_SUFFIX] = "on"
        else:
            data[key] = str(value)
    return data


def test_screening_form_survives_hostile_posts(nurse_client, candidate, rule_set):
    url = reverse("screening:screening-form", args=[candidate.screening_number, 1])
    # A valid case with a few answers replaced, so hostile values that pass the form are
    # stored and read back, not only refused.
    changes = st.dictionaries(st.sampled_from(_screening_keys(rule_set)), FIELD_VALUE, max_size=3)
    saved = []

    @FUZZ
    @given(changes=changes)
    def post(changes):
        data = {**_valid_screening_post(), **changes}
        response = nurse_client.post(url, data)
        assert response.status_code in (200, 302, 400)
        saved.append(response.status_code == 302)
        assert_safe_page(response, data)
        assert_plausible(rule_set, candidate.screenings.get().values)

    post()
    assert any(saved) and not all(saved)


VALID_REFERRAL = {
    "initials": "jd",
    "date_of_birth": "1960-04-30",
    "sex": "female",
    "referral_date": "2026-11-01",
}


def _referral_strategy():
    """A valid referral whose free-text unit is hostile and up to two other fields replaced,
    so hostile-but-acceptable input gets stored and shown, not only refused."""
    unit = st.fixed_dictionaries({"referring_unit": st.one_of(st.sampled_from(MARKUP), TEXT)})
    replaced = st.dictionaries(st.sampled_from(sorted(VALID_REFERRAL)), TEXT, max_size=2)
    return st.tuples(unit, replaced).map(lambda parts: {**VALID_REFERRAL, **parts[0], **parts[1]})


def assert_plausible_candidate(candidate: Candidate) -> None:
    today = dt.date.today()
    assert candidate.initials.isalpha() and 1 <= len(candidate.initials) <= 4
    assert today.year - 121 <= candidate.year_of_birth <= today.year
    assert candidate.date_of_birth.year == candidate.year_of_birth
    assert candidate.sex in ("female", "male")
    assert 0 < len(candidate.referring_unit) <= 200 and "\x00" not in candidate.referring_unit
    assert candidate.referral_date <= today


def test_referral_form_survives_hostile_posts_and_pages_escape_it(nurse_client, trial):
    url = reverse("screening:candidate-register")

    @FUZZ
    @given(data=_referral_strategy())
    def post(data):
        known = set(Candidate.objects.values_list("pk", flat=True))
        response = nurse_client.post(url, data)
        assert response.status_code in (200, 302, 400)
        assert_safe_page(response, data)
        for candidate in Candidate.objects.exclude(pk__in=known):
            assert_plausible_candidate(candidate)
            _assert_shown_escaped(nurse_client, candidate)

    post()
    assert Candidate.objects.exists()  # some hostile-but-valid referrals were stored


def _assert_shown_escaped(client, candidate) -> None:
    unit = candidate.referring_unit
    for url in (
        reverse("screening:candidate-list"),
        reverse("screening:candidate-detail", args=[candidate.screening_number]),
    ):
        page = client.get(url).content.decode()
        assert escape(unit) in page
        if "<" in unit:
            assert unit not in page


def test_candidate_change_form_survives_hostile_posts(nurse_client, candidate):
    url = reverse("screening:candidate-change", args=[candidate.screening_number])
    change = _referral_strategy().flatmap(
        lambda d: st.fixed_dictionaries({"reason": st.one_of(TEXT, st.sampled_from(MARKUP))}).map(
            lambda r: {**d, **r}
        )
    )

    @FUZZ
    @given(data=change)
    def post(data):
        response = nurse_client.post(url, data)
        assert response.status_code in (200, 302, 400)
        assert_safe_page(response, data)
        candidate.refresh_from_db()
        assert_plausible_candidate(candidate)
        _assert_shown_escaped(nurse_client, candidate)

    post()


def test_decision_form_survives_hostile_posts_and_the_reason_is_escaped(nurse_client, candidate):
    url = reverse("screening:decision-record", args=[candidate.screening_number, 1])
    detail = reverse("screening:candidate-detail", args=[candidate.screening_number])

    @FUZZ
    @given(reason=st.one_of(st.sampled_from(MARKUP), TEXT))
    def post(reason):
        direct = nurse_client.post(url, {"screen_failure_reason": reason}, follow=True)
        assert direct.status_code in (200, 400)
        assert_safe_page(direct, [reason])
        response = record_via_pages(nurse_client, candidate.screenings.get(), reason=reason)
        assert response.status_code in (200, 400)
        assert_safe_page(response, [reason])
        assert Decision.objects.count() <= 1

    post()
    # Values were never entered: the episode closes as a screen failure with some reason,
    # which the candidate page shows as text.
    decision = Decision.objects.get()
    page = assert_safe_page(nurse_client.get(detail), [decision.screen_failure_reason])
    assert escape(decision.screen_failure_reason) in page


def test_login_and_search_survive_hostile_input(client, nurse):
    @FUZZ
    @given(username=TEXT, password=TEXT, query=TEXT)
    def attempt(username, password, query):
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code in (200, 400, 429)
        assert_safe_page(response, [username])
        client.force_login(nurse)
        response = client.get(reverse("screening:candidate-list"), {"q": query})
        assert response.status_code in (200, 400)
        assert_safe_page(response, [query])
        client.logout()

    attempt()


# ---- the screen command -------------------------------------------------------------------

JSON_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(allow_nan=False).map(lambda d: float(d) if d.is_finite() else 0),
    TEXT,
)
JSON_ANSWER = st.one_of(
    JSON_SCALAR,
    st.fixed_dictionaries({"value": JSON_SCALAR}, optional={"unit": TEXT, "extra": TEXT}),
    st.lists(JSON_SCALAR, max_size=3),
)
RAW_CASES = [
    "",
    "null",
    "[]",
    '{"values": []}',
    '{"values": {"neutrophils": NaN}}',
    '{"values": {"neutrophils": Infinity}}',
    '{"values": {"neutrophils": 1e999999}}',
    '{"values": {"neutrophils": -1e-999999}}',
    '{"values": {"neutrophils": {"value": 1e400, "unit": "10^9/L"}}}',
    '{"values": {"bilirubin": {"value": 1e400, "unit": "mg/dL"}}}',
    '{"values": {"date_of_birth": "1965-02-30"}}',
    '{"values": {"unknown_key": 1}}',
    '{"values": {"neutrophils": 1}',
    "\ufeff{}",
]


# Python refuses to read an integer of more than 4300 digits; read_json refuses far fewer
# (tests/test_fuzz_commands.py has the limits).
HUGE_INTEGERS = [
    '{"values": {"neutrophils": 1' + "0" * 5000 + "}}",
    '{"values": {"ecog_performance_status": 1' + "0" * 5000 + "}}",
]


def _screen(text: str) -> dict | None:
    """Run `screen` on a case file's text: its JSON result, or None after a clean refusal."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder) / "case.json"
        case.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            call_command("screen", str(case), trial="NCT01387295", stdout=stdout, stderr=stderr)
        except CommandError as error:
            assert error.returncode == 2, error
            assert str(error).strip()
            return None
    return json.loads(stdout.getvalue())


def _case_strategy(rule_set):
    keys = st.one_of(st.sampled_from(sorted(rule_set.variables)), TEXT)
    values = st.dictionaries(keys, JSON_ANSWER, max_size=8)
    case = st.one_of(st.fixed_dictionaries({"values": values}), JSON_ANSWER)
    return case.map(lambda c: json.dumps(c, default=str)) | st.sampled_from(RAW_CASES)


@pytest.mark.parametrize("text", [*RAW_CASES, *HUGE_INTEGERS])
def test_screen_command_refuses_malformed_cases_cleanly(protocol, text):
    result = _screen(text)
    assert result is None or result["outcome"] in ("eligible", "ineligible", "incomplete")


def test_screen_command_answers_json_or_refuses_with_exit_code_2(protocol, rule_set):
    @FUZZ
    @given(text=_case_strategy(rule_set))
    def run(text):
        result = _screen(text)
        if result is not None:
            assert result["outcome"] in ("eligible", "ineligible", "incomplete")
            assert result["trial"] == "NCT01387295"

    run()


# ---- every hostile value, deterministically, in each kind of input -------------------------
# Hypothesis above explores combinations; this sweep makes sure no listed value is left to luck.


def test_every_hostile_value_in_the_screening_form(nurse_client, candidate, rule_set):
    url = reverse("screening:screening-form", args=[candidate.screening_number, 1])
    typed_inputs = [
        "neutrophils",
        "bilirubin" + UNIT_SUFFIX,
        "ecog_performance_status",
        "date_of_birth",
        "her2_status",
        "informed_consent",
        "last_ami_date" + NEVER_SUFFIX,
    ]
    for value in HOSTILE:
        data = {**_valid_screening_post(), **dict.fromkeys(typed_inputs, value)}
        assert_safe_page(nurse_client.post(url, data), [value])
        reason = {**_valid_screening_post(), "inr": "1.1", "change_reason": value}
        assert_safe_page(nurse_client.post(url, reason), [value])
        nurse_client.post(url, _valid_screening_post())  # back to the saved case
        assert_plausible(rule_set, candidate.screenings.get().values)


def test_every_hostile_value_in_the_referral_forms_and_search(nurse_client, trial):
    register = reverse("screening:candidate-register")
    for value in HOSTILE:
        response = nurse_client.post(register, {**VALID_REFERRAL, "referring_unit": value})
        assert_safe_page(response, [value])
        if response.status_code == 302:
            candidate = Candidate.objects.get(referring_unit=value.strip())
            assert_plausible_candidate(candidate)
            _assert_shown_escaped(nurse_client, candidate)
            change = reverse("screening:candidate-change", args=[candidate.screening_number])
            data = {**VALID_REFERRAL, "referring_unit": "Herlev", "reason": value}
            assert_safe_page(nurse_client.post(change, data), [value])
        listing = nurse_client.get(reverse("screening:candidate-list"), {"q": value})
        assert listing.status_code in (200, 400)
        assert_safe_page(listing, [value])
    assert Candidate.objects.count() > len(HOSTILE) // 2


def test_every_hostile_value_as_a_screen_failure_reason(nurse_client, trial, nurse):
    for value in HOSTILE:
        candidate = register(trial, nurse)
        number = candidate.screening_number
        url = reverse("screening:decision-record", args=[number, 1])
        response = nurse_client.post(url, {"screen_failure_reason": value}, follow=True)
        assert_safe_page(response, [value])
        response = record_via_pages(nurse_client, candidate.screenings.get(), reason=value)
        assert_safe_page(response, [value])
        detail = nurse_client.get(reverse("screening:candidate-detail", args=[number]))
        page = assert_safe_page(detail, [value])
        for decision in Decision.objects.filter(screening__candidate=candidate):
            assert escape(decision.screen_failure_reason) in page


def test_every_hostile_value_at_the_login(client, nurse):
    for value in HOSTILE:
        for data in ({"username": value, "password": value}, {"username": "x", "password": value}):
            response = client.post(reverse("login"), data)
            assert response.status_code in (200, 400, 429)
            assert_safe_page(response, [value])
            assert "_auth_user_id" not in client.session


def test_a_long_change_reason_is_kept(nurse_client, candidate):
    reason = "Corrected after a call with the referring unit: " + "details " * 40
    url = reverse("screening:candidate-change", args=[candidate.screening_number])
    response = nurse_client.post(
        url, {**VALID_REFERRAL, "referring_unit": "Herlev", "reason": reason}
    )
    assert response.status_code == 302
    assert candidate.history.first().history_change_reason == reason.strip()
