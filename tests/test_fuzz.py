"""Hostile input everywhere a person or a script can type: the forms, the log-in, the search,
and the `screen` command. Never a 500 or a traceback, never an implausible stored value, and
markup is always shown as text."""

import datetime as dt
import io
import json
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connections
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from criteria.models import Criterion, Trial, Variable
from criteria.selectors import criteria_set_published, criteria_set_rules
from criteria.services import criteria_set_draft_create
from criteria.values import check_range, value_from_json
from screening.forms import NEVER_SUFFIX, UNIT_SUFFIX
from screening.log_forms import LogFilterForm, SummaryPeriodForm
from screening.models import Candidate, Decision
from screening.services import decision_record
from tests.cases import PROTOCOL_FILE, eligible_values, fill, record_via_pages, register
from tests.trialsite.test_permission_matrix import MATRIX
from trialsite.access_log_views import AccessLogFilterForm
from trialsite.models import CandidateAccess

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


# Python refuses to read an integer of more than 4300 digits; read_json refuses far fewer.
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


# ---- whole numbers past 32 and 64 bits --------------------------------------------------------
# Each is refused where it is typed (a message next to the field, exit code 2, or 404 for a
# number in a URL), the same on SQLite, which keeps 64 bits in any column, and PostgreSQL.

PAST_32_BITS = ["2147483648", "-2147483649", "4294967296"]
PAST_64_BITS = ["9223372036854775808", "-9223372036854775809", "1" + "0" * 40]
PAST_THE_COLUMN = ["-1", *PAST_32_BITS, *PAST_64_BITS]
ORDER_REFUSED = "Enter a whole number from 0 to 2147483647."
TRIAL = "NCT01387295"
NEW_CRITERION = {
    "code": "X1",
    "kind": "inclusion",
    "label": "INR below 2",
    "protocol_wording": "INR < 2",
    "variable": "inr",
    "operator": "lt",
    "value": "2",
}


@pytest.fixture
def decided(protocol, nurse):
    """One decided episode (screening number S0001), one access-log row, and a draft v2."""
    referral = dt.date.fromisoformat(eligible_values()["screening_date"])
    candidate = register(protocol.trial, nurse, referral_date=referral)
    decision = decision_record(screening=fill(candidate.screenings.get(), nurse), recorded_by=nurse)
    CandidateAccess.objects.create(
        user=nurse, screening_number=candidate.screening_number, path="/"
    )
    criteria_set_draft_create(trial=protocol.trial, created_by=nurse)
    return decision


@pytest.fixture
def root_client(client, db):
    """A superuser: every page and every admin list, whatever its permission."""
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)
    client.force_login(root)
    return client


def _criterion_post(client, url: str, **changes) -> dict:
    """What the criterion form posts: the form as shown (an edit's current rule), changed."""
    form = client.get(url).context["form"]
    shown = {name: form[name].value() for name in form.fields}
    return {name: value for name, value in shown.items() if value is not None} | changes


@pytest.mark.parametrize("order", PAST_THE_COLUMN)
@pytest.mark.parametrize("page", ["criterion-add", "criterion-edit"])
def test_a_criterion_order_past_its_column_is_refused_next_to_the_field(
    root_client, decided, page, order
):
    adding = page == "criterion-add"
    url = reverse(f"criteria:{page}", args=[TRIAL, 2] if adding else [TRIAL, 2, "I18"])
    before = sorted(Criterion.objects.values_list("pk", "code", "order", "label"))
    changes = (NEW_CRITERION if adding else {}) | {"order": order, "reason": "probe"}
    response = root_client.post(url, _criterion_post(root_client, url, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors == {"order": [ORDER_REFUSED]}
    assert ORDER_REFUSED in response.content.decode()
    assert sorted(Criterion.objects.values_list("pk", "code", "order", "label")) == before


@pytest.mark.parametrize("order", ["0", "2147483647"])
def test_a_criterion_order_at_the_ends_of_its_column_is_saved(root_client, decided, order):
    url = reverse("criteria:criterion-edit", args=[TRIAL, 2, "I18"])
    response = root_client.post(url, _criterion_post(root_client, url, order=order, reason="r"))
    assert response.status_code == 302
    assert Criterion.objects.get(criteria_set__version=2, code="I18").order == int(order)


@pytest.mark.parametrize("order", [int(n) for n in PAST_THE_COLUMN])
@pytest.mark.parametrize("part", ["variable", "criterion"])
def test_a_protocol_order_past_its_column_is_refused_with_exit_code_2(db, tmp_path, part, order):
    data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
    entries = data["variables"] if part == "variable" else data["criteria_set"]["criteria"]
    entries[0]["order"] = order
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("load_protocol", str(path), stdout=io.StringIO())
    assert refused.value.returncode == 2
    message = str(refused.value)
    # A number of over 30 digits is refused as it is read, before its meaning is looked at.
    assert (
        "order" in message
        and "must be a whole number from 0 to 2147483647" in message
        or ("too long (41 digits)" in message)
    )
    assert not Trial.objects.exists()


def test_every_whole_number_in_a_url_past_its_column_is_not_found(root_client, decided):
    """Every URL of the permission matrix that takes a number (episode, criteria version)."""
    tried = set()
    for name, method, args, *_ in MATRIX:
        for at, arg in enumerate(args):
            if not isinstance(arg, int):
                continue
            for number in (n for n in PAST_32_BITS + PAST_64_BITS if not n.startswith("-")):
                asked = [str(decided.public_id) if a == "decision" else a for a in args]
                asked[at] = number
                response = getattr(root_client, method)(reverse(name, args=asked))
                assert response.status_code == 404, (name, number)
                tried.add(name)
    assert {"screening:screening-form", "criteria:set-detail"} <= tried


@pytest.mark.parametrize("number", PAST_THE_COLUMN)
def test_page_numbers_past_64_bits_are_not_found(root_client, decided, number):
    """(The log's Next/Previous keys with such numbers: tests/screening/test_log_pages.py.)"""
    for name in ("log:list", "access-log", "screening:candidate-list"):
        response = root_client.get(reverse(name), {"page": number})
        assert response.status_code == 404, name


def test_whole_numbers_past_the_column_in_the_screening_form_are_refused(
    nurse_client, candidate, rule_set
):
    url = reverse("screening:screening-form", args=[candidate.screening_number, 1])
    assert nurse_client.post(url, _valid_screening_post()).status_code == 302
    saved = candidate.screenings.get().values
    integers = [
        key
        for key, spec in rule_set.variables.items()
        if spec.data_type == "integer" and not spec.derivation
    ]
    assert integers
    for key in integers:
        for number in PAST_THE_COLUMN:
            response = nurse_client.post(url, {**_valid_screening_post(), key: number})
            assert response.status_code == 200
            assert key in response.context["form"].errors, (key, number)
            assert candidate.screenings.get().values == saved


def test_a_year_of_birth_past_its_column_is_refused_next_to_the_field(nurse_client, candidate):
    change = reverse("screening:candidate-change", args=[candidate.screening_number])
    for url in (reverse("screening:candidate-register"), change):
        for number in PAST_THE_COLUMN:
            data = {**VALID_REFERRAL, "year_of_birth": number, "reason": "probe"}
            response = nurse_client.post(url, data)
            assert response.status_code == 200
            assert "year_of_birth" in response.context["form"].errors
    assert Candidate.objects.get().year_of_birth == candidate.year_of_birth


@pytest.mark.parametrize("number", [n for n in PAST_THE_COLUMN if not n.startswith("-")])
def test_screen_refuses_a_criteria_version_past_64_bits_with_exit_code_2(protocol, number):
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder) / "case.json"
        case.write_text('{"values": {}}', encoding="utf-8")
        with pytest.raises(CommandError) as refused:
            call_command("screen", str(case), trial=TRIAL, version=int(number))
    assert refused.value.returncode == 2
    assert "no criteria set version" in str(refused.value)


def test_admin_forms_refuse_an_order_past_its_column_next_to_the_field(root_client, decided):
    variable = Variable.objects.get(key="inr")
    url = reverse("admin:criteria_variable_change", args=[variable.pk])
    form = root_client.get(url).context["adminform"].form
    shown = {n: form[n].field.prepare_value(form[n].value()) for n in form.fields}
    shown = {n: v for n, v in shown.items() if v is not None and v is not False}
    for number in PAST_THE_COLUMN:
        response = root_client.post(url, {**shown, "order": number})
        assert response.status_code == 200, number
        assert list(response.context["adminform"].form.errors) == ["order"], number
        assert Variable.objects.get(pk=variable.pk).order == variable.order
    # The same form with a number the column holds is saved.
    assert root_client.post(url, {**shown, "order": "2147483647"}).status_code == 302
    assert Variable.objects.get(pk=variable.pk).order == 2147483647


def test_admin_lists_survive_numbers_and_dates_past_what_a_column_holds(root_client, decided):
    accesses = reverse("admin:trialsite_candidateaccess_changelist")
    queries = [{"viewed_at__year": n} for n in ("1", "9999", *PAST_32_BITS, *PAST_64_BITS)]
    for day in EXTREME_DATES:
        year, month, mday = day.split("-")
        queries += [
            {"viewed_at__year": year, "viewed_at__month": month},
            {"viewed_at__year": year, "viewed_at__month": month, "viewed_at__day": mday},
            {"viewed_at__gte": day},
            {"viewed_at__lt": day},
        ]
    for query in queries:
        assert root_client.get(accesses, query).status_code in (200, 302), query
    decisions = reverse("admin:screening_decision_changelist")
    for number in PAST_THE_COLUMN:
        for query in ({"criteria_set_version": number}, {"p": number}):
            assert root_client.get(decisions, query).status_code in (200, 302), query


# ---- dates at both ends of the calendar, in every date filter of every page and export ------

EXTREME_DATES = ["0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31"]
# Every page and export that filters by date, with its from and to fields.
DATE_FILTERS = {
    "log:list": ("screened_from", "screened_to"),
    "log:export-csv": ("screened_from", "screened_to"),
    "log:export-xlsx": ("screened_from", "screened_to"),
    "log:summary": ("referred_from", "referred_to"),
    "access-log": ("date_from", "date_to"),
}
LOG_SORTS = ["", "screened_at", "-outcome", "recorded_by", "screening_number"]


def test_the_date_filters_above_are_every_date_filter_of_the_filter_forms():
    in_forms = {
        name
        for form in (LogFilterForm, SummaryPeriodForm, AccessLogFilterForm)
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField)
    }
    assert in_forms == {name for pair in DATE_FILTERS.values() for name in pair}


def _filtered(client, page: str, query: dict) -> str:
    """The page or export's text, after checking it is neither an error nor a traceback."""
    response = client.get(reverse(page), query)
    assert response.status_code == 200, (page, query)
    if page == "log:export-xlsx":
        return ""
    text = response.content.decode()
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize("page", sorted(DATE_FILTERS))
def test_every_date_filter_takes_the_first_and_last_days_of_the_calendar(
    root_client, decided, page
):
    first, last = DATE_FILTERS[page]
    sorts = LOG_SORTS if page.startswith("log:") and page != "log:summary" else [""]
    for day in EXTREME_DATES:
        for sort in sorts:
            for query in ({first: day}, {last: day}, {first: day, last: day}):
                _filtered(root_client, page, {**query, "sort": sort})
    # No stored time lies beyond these ends, so they are open: every row is there.
    everything = {first: "0001-01-01", last: "9999-12-31"}
    if page == "log:summary":
        assert root_client.get(reverse(page), everything).context["summary"].referred == 1
    elif page != "log:export-xlsx":
        number = decided.screening.candidate.screening_number
        assert number in _filtered(root_client, page, everything)


@pytest.mark.parametrize("page", sorted(DATE_FILTERS))
def test_a_date_range_ending_before_it_starts_is_refused_next_to_the_field(root_client, page):
    first, last = DATE_FILTERS[page]
    response = root_client.get(reverse(page), {first: "9999-12-31", last: "0001-01-01"})
    assert response.status_code == 200
    if page.startswith("log:export"):
        return  # an export has no form to show; it leaves the invalid filter out
    assert response.context["form"].errors == {last: ["Must not be before the start date."]}


def test_date_filters_survive_any_date_and_text(root_client, decided):
    day = st.one_of(st.sampled_from(EXTREME_DATES), st.dates().map(str), TEXT)

    @FUZZ
    @given(
        page=st.sampled_from(sorted(DATE_FILTERS)),
        first=st.none() | day,
        last=st.none() | day,
        sort=st.sampled_from(LOG_SORTS),
    )
    def ask(page, first, last, sort):
        names = DATE_FILTERS[page]
        query = {n: v for n, v in zip(names, (first, last), strict=True) if v is not None}
        response = root_client.get(reverse(page), {**query, "sort": sort})
        assert response.status_code in (200, 400), (page, query)

    ask()


# ---- `screen` and `load_protocol`: nesting and size past any real file ------------------------


def _nested(depth: int, inner: str = "1") -> str:
    """A case whose one value is `depth` - 2 arrays deep: `depth` levels with the case's own."""
    return '{"values": {"inr": ' + "[" * (depth - 2) + inner + "]" * (depth - 2) + "}}"


def _padded(length: int) -> str:
    """A case of exactly `length` characters."""
    start, end = '{"values": {}, "pad": "', '"}'
    return start + "x" * (length - len(start) - len(end)) + end


SCREEN_EXTREMES = {
    "arrays 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "objects 100,000 deep": '{"a": ' * 100_000 + "1" + "}" * 100_000,
    "a value 100,000 deep": _nested(100_002),
    "33 levels": _nested(33),
    "over 5,000,000 characters": '{"values": {"inr": "' + "1" * 5_000_000 + '"}}',
    "a 4,000,000-character value": '{"values": {"inr": "' + "1" * 4_000_000 + '"}}',
    "a key of 300,000 line breaks": '{"values": {"' + "k\\n" * 300_000 + '": 1}}',
    "a lone surrogate": '{"values": {"\\ud800": "\\udfff"}}',
    "an exponent no decimal holds": '{"values": {"inr": 1e99999999999999999999999999}}',
    "a 31-digit whole number": '{"values": {"inr": ' + "1" * 31 + "}}",
    "a 5,000-digit decimal": '{"values": {"inr": 1.' + "0" * 5000 + "}}",
    "past 64 bits": '{"values": {"ecog_performance_status": 18446744073709551616}}',
    "past 64 bits, negative": '{"values": {"platelets": -9223372036854775809}}',
}


def _run_from_shell(command: str, text: str, capsys, monkeypatch, *args) -> tuple[int, str]:
    """`manage.py <command> <args> -` with `text` on stdin, as a shell runs it: the exit code
    and what reached stderr."""
    # The test's own database connection must outlive the command.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    handler = load_command_class("criteria", command)
    code = 0
    try:
        handler.run_from_argv(["manage.py", command, *args, "-"])
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(SCREEN_EXTREMES))
def test_screen_refuses_extreme_input_with_one_line_and_exit_code_2(
    protocol, capsys, monkeypatch, name
):
    text = SCREEN_EXTREMES[name]
    code, stderr = _run_from_shell("screen", text, capsys, monkeypatch, "--trial", TRIAL)
    assert code == 2, stderr[:300]
    assert stderr.startswith("CommandError: ") and stderr.count("\n") == 1, stderr[:300]
    assert len(stderr) < 1200 and "Traceback" not in stderr


@pytest.mark.parametrize("name", sorted(SCREEN_EXTREMES))
def test_load_protocol_refuses_extreme_input_with_one_line_and_exit_code_2(
    db, capsys, monkeypatch, name
):
    code, stderr = _run_from_shell("load_protocol", SCREEN_EXTREMES[name], capsys, monkeypatch)
    assert code == 2, stderr[:300]
    assert stderr.startswith("CommandError: ") and stderr.count("\n") == 1, stderr[:300]
    assert not Trial.objects.exists()


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (_nested(32), None),
        (_nested(33), "nested more than 32 levels deep"),
        ('{"values": {"inr": ' + "1" * 30 + "}}", None),
        ('{"values": {"inr": ' + "1" * 31 + "}}", "too long (31 digits)"),
        (_padded(5_000_000), None),
        (_padded(5_000_001), "longer than 5,000,000"),
    ],
    ids=["32 levels", "33 levels", "30 digits", "31 digits", "5,000,000", "5,000,001"],
)
def test_the_limits_of_a_case_file_are_exact(protocol, text, refusal):
    """At each limit the case is read (and refused, if at all, for what it says); one past,
    it is refused for its shape."""
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder) / "case.json"
        case.write_text(text, encoding="utf-8")
        try:
            call_command("screen", str(case), trial=TRIAL, stdout=io.StringIO())
            problem = ""
        except CommandError as error:
            problem = str(error)
    if refusal is None:
        assert not any(shape in problem for shape in ("nested", "too long", "longer than"))
    else:
        assert refusal in problem


def test_screen_survives_any_nesting(protocol):
    @FUZZ
    @given(
        depth=st.integers(min_value=1, max_value=150_000),
        opener=st.sampled_from(["[", '{"a": ', '{"values": {"inr": [']),
    )
    def run(depth, opener):
        closer = {"[": "]", '{"a": ': "}", '{"values": {"inr": [': "]}}"}[opener]
        _screen(opener * depth + "1" + closer * depth)

    run()
