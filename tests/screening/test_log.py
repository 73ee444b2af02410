"""The screening log: filters, search, sorting and pagination return the right rows, and the
page's query count does not grow with the number of decisions."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from lxml import html

from screening.failures import FailedEntries, failed_results
from screening.models import Decision
from screening.review import selectors
from screening.review.log_query import log_filter_recorders, log_queryset
from tests.screening.log_data import log_rows, screen_patient

pytestmark = [pytest.mark.django_db]


def _row_numbers(response) -> list[str]:
    return [row.screening.candidate.screening_number for row in log_rows(response)]


def _numbers(client, **params) -> list[str]:
    response = client.get(reverse("log:list"), params)
    assert response.status_code == 200
    return _row_numbers(response)


def _names(cohort, numbers: list[str]) -> list[str]:
    by_number = {number: name for name, number in cohort.items()}
    return [by_number[number] for number in numbers]


def test_one_row_per_episode_with_outcome_failed_codes_and_signoff(investigator_client, cohort):
    response = investigator_client.get(reverse("log:list"), {"sort": "screening_number"})
    rows = {row.screening.candidate.screening_number: row for row in log_rows(response)}
    a, b, c, d, e = (rows[cohort[name]] for name in "ABCDE")
    assert [r.decision.outcome for r in (a, b, c, d)] == [
        "eligible",
        "ineligible",
        "ineligible",
        "incomplete",
    ]
    assert e.decision is None and e.signoff_state == "not decided"
    assert (a.failed_codes, b.failed_codes, c.failed_codes) == ([], ["I13"], ["I13", "E07"])
    assert a.signoff_state == "signed" and b.signoff_state == "awaiting sign-off"
    content = response.content.decode()
    assert "patient declined" in content
    assert content.count('data-testid="signoff-link"') == 3  # B, C, D; not A (signed), not E


def test_the_database_and_python_agree_on_the_failed_criteria(cohort, trial, nurse):
    """The log filters on the FailedCriterion rows and shows FailedEntries (read by them in
    SQL); both must say what the evaluator's definition (`failed_results`) says."""
    screen_patient(trial, nurse, fails=("I13", "I14", "E07"))
    decisions = Decision.objects.annotate(entries=FailedEntries("results", "pk"))
    seen = []
    for decision in decisions:
        expected = failed_results(decision.results)
        codes = list(decision.failures.order_by("position").values_list("code", flat=True))
        assert codes == [r["code"] for r in expected]
        assert json.loads(decision.entries) == expected
        seen.append(codes)
    assert ["I13", "I14", "E07"] in seen and [] in seen
    rows = selectors.screening_log_rows(log_queryset())
    shown = next(row for row in rows if row.failed_codes == ["I13", "I14", "E07"])
    assert shown.failed == failed_results(Decision.objects.get(pk=shown.decision.pk).results)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["A", "B", "C", "D", "E"]),
        ({"outcome": "eligible"}, ["A"]),
        ({"outcome": "ineligible"}, ["B", "C"]),
        ({"outcome": "incomplete"}, ["D"]),
        ({"outcome": "in_progress"}, ["E"]),
        ({"failed_criterion": "NCT01387295 I13"}, ["B", "C"]),
        ({"failed_criterion": "NCT01387295 E07"}, ["C"]),
        ({"failed_criterion": "NCT01387295 I01"}, []),
        ({"recorded_by": "nurse2"}, ["B", "D"]),
        ({"recorded_by": "nurse"}, ["A", "C"]),
        ({"signoff": "signed"}, ["A"]),
        ({"signoff": "unsigned"}, ["B", "C", "D"]),
        ({"screened_from": "2026-11-12", "screened_to": "2026-11-15"}, ["B", "C"]),
        ({"screened_from": "2026-11-16"}, ["D"]),
        # As a Danish nurse types them, and the boundaries of a day (site-local, both ends in).
        ({"screened_from": "12-11-2026", "screened_to": "15-11-2026"}, ["B", "C"]),
        ({"screened_from": "13-11-2026", "screened_to": "15-11-2026"}, ["C"]),
        ({"screened_from": "12-11-2026", "screened_to": "14-11-2026"}, ["B"]),
        ({"screened_to": "09-11-2026"}, []),
        ({"screened_to": "2026-11-10"}, ["A"]),
        ({"q": "S0003"}, ["C"]),
        ({"q": "s000"}, ["A", "B", "C", "D", "E"]),
        ({"q": "S9999"}, []),
        ({"outcome": "ineligible", "recorded_by": "nurse"}, ["C"]),
        ({"failed_criterion": "NCT01387295 I13", "signoff": "unsigned", "q": "S0002"}, ["B"]),
    ],
)
def test_filters_and_search_return_the_right_rows(investigator_client, cohort, params, expected):
    numbers = _numbers(investigator_client, sort="screening_number", **params)
    assert _names(cohort, numbers) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("screening_number", ["A", "B", "C", "D", "E"]),
        ("-screening_number", ["E", "D", "C", "B", "A"]),
        ("referral_date", ["A", "B", "C", "D", "E"]),
        ("-referral_date", ["E", "D", "C", "B", "A"]),
        # Not decided stays last whichever way the dates run.
        ("screened_at", ["A", "B", "C", "D", "E"]),
        ("-screened_at", ["D", "C", "B", "A", "E"]),
        ("outcome", ["A", "D", "B", "C", "E"]),  # eligible, incomplete, ineligible (by number)
        ("recorded_by", ["A", "C", "B", "D", "E"]),  # nurse, nurse2
        ("", ["D", "C", "B", "A", "E"]),  # default: newest decision first
        ("nonsense", ["D", "C", "B", "A", "E"]),
    ],
)
def test_sorting(investigator_client, cohort, sort, expected):
    assert _names(cohort, _numbers(investigator_client, sort=sort)) == expected


def test_pagination_keeps_the_filters(investigator_client, cohort, monkeypatch):
    monkeypatch.setattr("screening.review.log_table.PER_PAGE", 1)
    params = {"outcome": "ineligible", "sort": "screening_number"}
    first = investigator_client.get(reverse("log:list"), params)
    second = investigator_client.get(reverse("log:list"), {**params, "page": 2})
    assert _names(cohort, _row_numbers(first) + _row_numbers(second)) == ["B", "C"]
    pagination = first.content.decode().split('aria-label="Pages"')[1]
    assert "outcome=ineligible" in pagination and "page=2" in pagination


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({}, "5 episodes<"),
        ({"page": 2, "sort": "outcome"}, "5 episodes<"),  # paging and sorting are not filters
        ({"outcome": "eligible"}, "1 episode matches the filters"),
        ({"outcome": "ineligible"}, "2 episodes match the filters"),
    ],
)
def test_the_count_says_match_only_when_a_filter_is_set(
    investigator_client, cohort, monkeypatch, params, says
):
    monkeypatch.setattr("screening.review.log_table.PER_PAGE", 2)
    content = investigator_client.get(reverse("log:list"), params).content.decode()
    count = content.split('data-testid="log-count">')[1].split("</p>")[0] + "<"
    assert count.startswith(says)
    assert ("clear filters" in count) == ("match" in says)


def test_a_reversed_date_range_is_an_error_not_a_crash(investigator_client, cohort):
    response = investigator_client.get(
        reverse("log:list"), {"screened_from": "2026-11-20", "screened_to": "2026-11-01"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Must not be before the start date." in content
    # The message belongs to the field it is about, which is marked invalid for every reader.
    page = html.fromstring(content)
    (field,) = page.xpath('//input[@name="screened_to"]')
    assert field.get("aria-invalid") == "true"
    (message,) = page.xpath(f'//*[@id="{field.get("aria-describedby")}"]')
    assert message.text_content().strip() == "Must not be before the start date."
    assert len(log_rows(response)) == 1  # only the valid "from" is applied: D


def test_the_recorded_by_menu_lists_exactly_who_recorded_a_decision(
    investigator_client, cohort, nurse, second_nurse, investigator
):
    assert list(log_filter_recorders()) == sorted([nurse, second_nurse], key=lambda u: u.username)
    menu = investigator_client.get(reverse("log:list")).context["form"].fields["recorded_by"]
    assert [value for value, _ in menu.choices] == ["", nurse.username, second_nurse.username]


def test_nurse_reads_the_log_without_sign_off_or_export(nurse_client, cohort):
    content = nurse_client.get(reverse("log:list")).content.decode()
    assert 'data-testid="log-row"' in content
    assert 'data-testid="signoff-link"' not in content
    assert 'data-testid="export-csv"' not in content


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("log:list"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_page_is_reached_by_number_and_a_page_past_the_end_is_not_found(
    investigator_client, cohort, monkeypatch
):
    monkeypatch.setattr("screening.review.log_table.PER_PAGE", 2)
    url = reverse("log:list")
    pages = [_names(cohort, _numbers(investigator_client, page=n)) for n in (1, 2, 3)]
    assert pages == [["D", "C"], ["B", "A"], ["E"]]  # the default order, newest decision first
    assert investigator_client.get(url, {"page": 4}).status_code == 404
    # B and C fill one page: a second page of them is past the end too.
    assert investigator_client.get(url, {"page": 2, "outcome": "ineligible"}).status_code == 404


def test_the_jump_to_a_page_keeps_the_filters_and_sort(investigator_client, cohort, monkeypatch):
    monkeypatch.setattr("screening.review.log_table.PER_PAGE", 1)
    params = {"outcome": "ineligible", "sort": "screening_number", "page": 1}
    content = investigator_client.get(reverse("log:list"), params).content.decode()
    jump = content.split('data-testid="page-jump"')[1].split("</form>")[0]
    assert 'name="outcome" value="ineligible"' in jump
    assert 'name="sort" value="screening_number"' in jump
    assert 'name="page"' in jump and "Page 1 of 2" in jump
    assert jump.count('name="page"') == 1  # the page asked is not sent twice


def test_a_page_size_in_the_address_is_ignored(investigator_client, cohort, monkeypatch):
    monkeypatch.setattr("screening.review.log_table.PER_PAGE", 2)
    assert len(_numbers(investigator_client, per_page=100)) == 2


def test_a_sort_link_goes_back_to_the_first_page(investigator_client, cohort, monkeypatch):
    monkeypatch.setattr("screening.review.log_table.PER_PAGE", 2)
    response = investigator_client.get(reverse("log:list"), {"page": 2, "signoff": "unsigned"})
    header = response.content.decode().split("<thead")[1].split("</thead>")[0]
    link = re.search(r'href="(\?[^"]*sort=outcome[^"]*)"', header).group(1).replace("&amp;", "&")
    assert "page=1" in link and "signoff=unsigned" in link
    # The column sorted by shows its direction, to sight and to screen readers.
    assert 'aria-sort="descending"' in header and "▼" in header


def test_failed_criteria_show_their_labels_in_the_cell_not_in_a_tooltip(
    investigator_client, cohort
):
    response = investigator_client.get(reverse("log:list"), {"q": cohort["C"]})
    row = response.content.decode().split('data-testid="log-row"')[1].split("</tr>")[0]
    codes = re.findall(r'data-testid="failed-code">([^<]+)</span>([^<]+)</div>', row)
    assert [code for code, _ in codes] == ["I13", "E07"] and all(label for _, label in codes)
    assert "title=" not in row


def _cells(response, number: str) -> list[str]:
    """The text of each cell of `number`'s row, whitespace collapsed."""
    page = html.fromstring(response.content.decode())
    (row,) = page.xpath(f'//tr[@data-testid="log-row"][@data-number="{number}"]')
    return [" ".join(cell.text_content().split()) for cell in row.xpath("./td")]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            {
                "signed": "✓ Signed",
                "awaiting": "Awaiting sign-off Sign off",
                "declined": "Screen failure (incomplete: patient declined)",
                "not decided": "Not decided",
                "none": "No screening episodes match these filters.",
            },
        ),
        (
            "da",
            {
                "signed": "✓ Godkendt",
                "awaiting": "Afventer godkendelse Godkend",
                "declined": "Screeningsfejl (ufuldstændig: patient declined)",
                "not decided": "Ikke besluttet",
                "none": "Ingen screeningsforløb matcher disse filtre.",
            },
        ),
    ],
)
def test_each_row_reads_in_the_readers_language_and_dates_as_the_site_writes_them(
    investigator_client, cohort, language, words
):
    investigator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = investigator_client.get(reverse("log:list"))
    a, b, d, e = (_cells(response, cohort[name]) for name in "ABDE")
    referred = {"en": "2026-11-01", "da": "01-11-2026"}[language]
    screened = {"en": "2026-11-10", "da": "10-11-2026"}[language]
    assert a[1:5] == [cohort["A"].split("-")[0], "1", referred, screened]
    assert a[-1].startswith(words["signed"])
    assert b[-1] == words["awaiting"]
    assert d[6] == words["declined"]
    assert e[4:] == ["—", words["not decided"], "", "", "—"]
    nothing = investigator_client.get(reverse("log:list"), {"q": "NO-SUCH-NUMBER"})
    (empty,) = html.fromstring(nothing.content.decode()).xpath("//tbody/tr")
    assert " ".join(empty.text_content().split()) == words["none"]
    assert empty.xpath("./td/@colspan") == ["9"]


@pytest.mark.parametrize(
    ("language", "count", "pages"),
    [("da", "12.345 forløb", "Side 1 af 247."), ("en", "12,345 episodes", "Page 1 of 247.")],
)
def test_the_count_and_pages_are_grouped_as_the_reader_writes_them(
    investigator_client, cohort, monkeypatch, language, count, pages
):
    monkeypatch.setattr("screening.review.log_query.KeysFirst.count", lambda self: 12_345)
    investigator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = html.fromstring(investigator_client.get(reverse("log:list")).content.decode())
    (shown,) = page.xpath('//*[@data-testid="log-count"]')
    assert shown.text_content().strip() == count
    (label,) = page.xpath('//label[@for="page-number"]')
    assert label.text_content().startswith(pages)
    # The page number typed into the jump stays a plain number, which the page reads back.
    assert page.xpath('//input[@id="page-number"]/@value') == ["1"]
