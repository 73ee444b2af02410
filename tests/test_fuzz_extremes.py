"""Numbers and dates at the extremes, wherever a person or an address can give one: whole
numbers past 32 and 64 bits (and negative) in every integer form field, admin form, protocol
file, URL and page number; dates from 0001-01-01 to 9999-12-31 in every date filter of every
page and export. Never a server error; a message next to the field, or "not found", or an
open end; nothing stored changes. Run on SQLite and on PostgreSQL, whose integer columns
differ (SQLite keeps 64 bits in any of them)."""

import io
import json

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from criteria.models import Criterion, Trial, Variable
from criteria.selectors import criteria_set_published, criteria_set_rules
from screening.log_forms import LogFilterForm, SummaryPeriodForm
from screening.models import Candidate
from tests.cases import PROTOCOL_FILE
from tests.test_fuzz import FUZZ, TEXT, VALID_REFERRAL, _valid_screening_post
from tests.trialsite.test_permission_matrix import MATRIX
from trialsite.access_log_views import AccessLogFilterForm
from trialsite.models import CandidateAccess

pytestmark = [pytest.mark.django_db]

# ---- whole numbers past 32 and 64 bits --------------------------------------------------------

PAST_32_BITS = ["2147483648", "-2147483649", "4294967296"]
PAST_64_BITS = ["9223372036854775808", "-9223372036854775809", "1" + "0" * 40]
PAST_THE_COLUMN = ["-1", *PAST_32_BITS, *PAST_64_BITS]
ORDER_REFUSED = "Enter a whole number from 0 to 2147483647."
TRIAL = "NCT01387295"
NUMBER = f"{TRIAL}-S0001"  # the `world` fixture's one candidate
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
    root_client, world, page, order
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
def test_a_criterion_order_at_the_ends_of_its_column_is_saved(root_client, world, order):
    url = reverse("criteria:criterion-edit", args=[TRIAL, 2, "I18"])
    response = root_client.post(url, _criterion_post(root_client, url, order=order, reason="r"))
    assert response.status_code == 302
    assert Criterion.objects.get(criteria_set__version=2, code="I18").order == int(order)


WINDOW = NEW_CRITERION | {
    "variable": "last_chemotherapy_date",
    "operator": "within_days_before",
    "other": "screening_date",
    "order": "1",
    "reason": "probe",
}


@pytest.mark.parametrize("days", ["36526", *PAST_THE_COLUMN])
def test_a_date_window_past_a_century_is_refused_next_to_the_field(root_client, world, days):
    """A window's days live in the rule (JSON), not a column: a century bounds them."""
    url = reverse("criteria:criterion-add", args=[TRIAL, 2])
    response = root_client.post(url, {**WINDOW, "value": days})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["value"]
    assert not Criterion.objects.filter(code="X1").exists()


def test_a_date_window_of_a_century_is_saved(root_client, world):
    url = reverse("criteria:criterion-add", args=[TRIAL, 2])
    assert root_client.post(url, {**WINDOW, "value": "36525"}).status_code == 302
    assert Criterion.objects.get(code="X1").expression["value"] == 36525


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


def test_every_whole_number_in_a_url_past_its_column_is_not_found(root_client, world):
    """Every URL of the permission matrix that takes a number (episode, criteria version)."""
    tried = set()
    for name, method, args, *_ in MATRIX:
        for at, arg in enumerate(args):
            if not isinstance(arg, int):
                continue
            for number in (n for n in PAST_32_BITS + PAST_64_BITS if not n.startswith("-")):
                asked = [world.get(a, a) if isinstance(a, str) else a for a in args]
                asked[at] = number
                response = getattr(root_client, method)(reverse(name, args=asked))
                assert response.status_code == 404, (name, number)
                tried.add(name)
    assert {"screening:screening-form", "criteria:set-detail"} <= tried


@pytest.mark.parametrize("number", PAST_THE_COLUMN)
def test_page_numbers_past_64_bits_are_not_found(root_client, world, number):
    """(The log's Next/Previous keys with such numbers: tests/screening/test_log_pages.py.)"""
    for name in ("log:list", "access-log", "screening:candidate-list"):
        response = root_client.get(reverse(name), {"page": number})
        assert response.status_code == 404, name


def test_whole_numbers_past_the_column_in_the_screening_form_are_refused(nurse_client, candidate):
    rule_set = criteria_set_rules(criteria_set_published(candidate.trial))
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


def test_admin_forms_refuse_an_order_past_its_column_next_to_the_field(root_client, world):
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


# The admin's own date filters pass the typed date on as a naive time, and Django says so.
@pytest.mark.filterwarnings("ignore:DateTimeField CandidateAccess.viewed_at received a naive")
def test_admin_lists_survive_numbers_and_dates_past_what_a_column_holds(root_client, world):
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
def test_every_date_filter_takes_the_first_and_last_days_of_the_calendar(root_client, world, page):
    nurse = get_user_model().objects.get(username="data-nurse")
    CandidateAccess.objects.create(user=nurse, screening_number=NUMBER, path="/")
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
        assert NUMBER in _filtered(root_client, page, everything)


@pytest.mark.parametrize("page", sorted(DATE_FILTERS))
def test_a_date_range_ending_before_it_starts_is_refused_next_to_the_field(root_client, page):
    first, last = DATE_FILTERS[page]
    response = root_client.get(reverse(page), {first: "9999-12-31", last: "0001-01-01"})
    assert response.status_code == 200
    if page.startswith("log:export"):
        return  # an export has no form to show; it leaves the invalid filter out
    assert response.context["form"].errors == {last: ["Must not be before the start date."]}


def test_date_filters_survive_any_date_and_text(root_client, world):
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
