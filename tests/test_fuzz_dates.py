"""Dates at both ends of the calendar, 0001-01-01 to 9999-12-31, in every date filter of every
page and export, the admin's date lists, the standards commands and the referral's date of
birth. Never a server error: an open end where nothing stored lies beyond the date, or a
message next to the field; nothing stored changes. Run on SQLite and PostgreSQL."""

import io

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import get_resolver, reverse
from hypothesis import given
from hypothesis import strategies as st

from screening.models import Candidate
from screening.review.forms import LogFilterForm, SummaryPeriodForm
from screening.review.standards.forms import StandardsScopeForm
from tests.factories import UserFactory
from tests.test_fuzz import FUZZ, TEXT, VALID_REFERRAL
from tests.test_fuzz_numbers import PAST_32_BITS, PAST_64_BITS, PAST_THE_COLUMN, _forms_of_the_apps
from trialsite import roles
from trialsite.access_log_views import AccessLogFilterForm
from trialsite.models import CandidateAccess

pytestmark = [pytest.mark.django_db]

TRIAL = "NCT01387295"
NUMBER = f"{TRIAL}-S0001"  # the `world` fixture's one candidate
REFERRAL = VALID_REFERRAL | {"referring_unit": "Herlev", "reason": "probe"}

EXTREME_DATES = ["0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31"]
SCREENED = ("screened_from", "screened_to")
# Every page and export that filters by date: its URL, the query it needs besides, the form
# that reads the dates, and the from and to fields.
STANDARDS = {"trial": TRIAL}
DATE_FILTERS = {
    "log:list": ((), {}, LogFilterForm, "screened_from", "screened_to"),
    "log:export-csv": ((), {}, LogFilterForm, "screened_from", "screened_to"),
    "log:export-xlsx": ((), {}, LogFilterForm, "screened_from", "screened_to"),
    "log:summary": ((), {}, SummaryPeriodForm, "referred_from", "referred_to"),
    "access-log": ((), {}, AccessLogFilterForm, "date_from", "date_to"),
    "standards:page": ((), STANDARDS, StandardsScopeForm, "screened_from", "screened_to"),
    **{
        f"standards:download {kind}": ((kind,), STANDARDS, StandardsScopeForm, *SCREENED)
        for kind in ("ie-csv", "fhir", "odm")
    },
}
# Files whose rows are not looked for: a workbook; IE lists unmet criteria (the one patient
# met all).
FILES = {"log:export-xlsx", "standards:download ie-csv"}
LOG_SORTS = ["", "screened_at", "-outcome", "recorded_by", "screening_number"]


def _get(client, page: str, query: dict):
    name, *kind = page.split()
    args, needed, *_ = DATE_FILTERS[page]
    return client.get(reverse(name, args=args), {**needed, **query})


def _filtered(client, page: str, query: dict) -> str:
    """The page or file's text, after checking it is neither an error nor a traceback."""
    response = _get(client, page, query)
    assert response.status_code == 200, (page, query)
    if page in FILES:
        return ""
    text = response.content.decode()
    assert "Traceback" not in text
    return text


@pytest.mark.parametrize("page", sorted(DATE_FILTERS))
def test_every_date_filter_takes_the_first_and_last_days_of_the_calendar(root_client, world, page):
    nurse = get_user_model().objects.get(username="data-nurse")
    CandidateAccess.objects.create(user=nurse, screening_number=NUMBER, path="/")
    *_, first, last = DATE_FILTERS[page]
    sorts = LOG_SORTS if page in ("log:list", "log:export-csv") else [""]
    for day in EXTREME_DATES:
        for sort in sorts:
            for query in ({first: day}, {last: day}, {first: day, last: day}):
                _filtered(root_client, page, {**query, "sort": sort})
    # No stored time lies beyond these ends, so they are open: every row is there.
    everything = {first: "0001-01-01", last: "9999-12-31"}
    if page == "log:summary":
        assert _get(root_client, page, everything).context["summary"].referred == 1
    elif page == "standards:page":
        assert _get(root_client, page, everything).context["scope"] is not None
    elif page not in FILES:
        assert NUMBER in _filtered(root_client, page, everything)


@pytest.mark.parametrize("page", sorted(DATE_FILTERS))
def test_a_date_range_ending_before_it_starts_is_refused_next_to_the_field(
    root_client, world, page
):
    *_, first, last = DATE_FILTERS[page]
    response = _get(root_client, page, {first: "9999-12-31", last: "0001-01-01"})
    if page.startswith("log:export"):
        assert response.status_code == 200
        return  # an export has no form to show; it leaves the invalid filter out
    assert response.status_code == (400 if page.startswith("standards:download") else 200)
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
        names = DATE_FILTERS[page][3:]
        query = {n: v for n, v in zip(names, (first, last), strict=True) if v is not None}
        response = _get(root_client, page, {**query, "sort": sort})
        assert response.status_code in (200, 400), (page, query)

    ask()


def test_the_date_filters_above_are_every_date_field_of_every_form():
    """A new filter form, or a date field added to one, must be added above."""
    assert get_resolver().url_patterns  # every view, and so every form, imported
    in_forms = {
        (form, name)
        for form in _forms_of_the_apps()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField)
    }
    listed = {(f[2], name) for f in DATE_FILTERS.values() for name in f[3:]}
    assert in_forms == listed


def test_a_date_of_birth_at_the_ends_of_the_calendar_is_refused_next_to_the_field(
    nurse_client, candidate
):
    change = reverse("screening:candidate-change", args=[candidate.screening_number])
    before = Candidate.objects.values().get()
    for url in (reverse("screening:candidate-register"), change):
        for day in EXTREME_DATES:
            data = {**REFERRAL, "date_of_birth": day}
            response = nurse_client.post(url, data)
            assert response.status_code == 200, (url, day)
            assert list(response.context["form"].errors) == ["date_of_birth"], (url, day)
    assert Candidate.objects.values().get() == before


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


@pytest.mark.parametrize(
    "command", [["export_sdtm", "--domain", "IE"], ["export_fhir"], ["export_odm"]]
)
def test_standards_commands_take_the_first_and_last_days_of_the_calendar(world, tmp_path, command):
    UserFactory(username="pi", role=roles.INVESTIGATOR)
    for first, last in (("0001-01-01", "9999-12-31"), ("9999-12-31", "9999-12-31")):
        output = tmp_path / f"{command[0]}-{first}.out"
        args = [TRIAL, "--from", first, "--to", last, "--output", str(output), "--user", "pi"]
        call_command(*command, *args, stderr=io.StringIO())
        assert output.stat().st_size > 0
        if command[0] != "export_sdtm":  # IE lists unmet criteria; the patient met all
            assert (NUMBER in output.read_text()) == (first == "0001-01-01")
