"""The summary: counts, funnel and screen-failure reasons over a period, charts as inline SVG."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from lxml import html

from screening import services
from screening.review import selectors
from screening.review.charts import VALUE_CHAR_WIDTH, WIDTH, bar_chart
from tests.cases import fill, register
from tests.screening.log_data import screen_patient

pytestmark = [pytest.mark.django_db]


def test_counts_and_failures_of_everyone(cohort):
    summary = selectors.screening_summary(referred_from=None, referred_to=None)
    assert (summary.referred, summary.screened) == (5, 4)
    assert (summary.eligible, summary.ineligible, summary.incomplete) == (1, 2, 1)
    assert (summary.signed_off, summary.eligible_signed_off) == (1, 1)
    assert summary.failures == [
        ("NCT01387295", "I13", "Neutrophils above 1.5 × 10⁹/L", 2),
        ("NCT01387295", "E07", "Known CNS metastases", 1),
    ]


def test_the_period_is_the_referral_date(cohort):
    summary = selectors.screening_summary(
        referred_from=dt.date(2026, 11, 2), referred_to=dt.date(2026, 11, 3)
    )
    assert (summary.referred, summary.screened, summary.ineligible) == (2, 2, 2)
    assert summary.eligible == summary.signed_off == 0
    assert [(code, n) for _, code, _, n in summary.failures] == [("I13", 2), ("E07", 1)]


def test_a_rescreened_patient_counts_once_by_the_newest_decision(trial, nurse):
    candidate = register(trial, nurse, referral_date=dt.date(2026, 11, 1))
    fill(candidate.screenings.get(), nurse, neutrophils="1.2")
    services.decision_record(screening=candidate.screenings.get(), recorded_by=nurse)
    second = services.screening_start(candidate=candidate, started_by=nurse)
    fill(second, nurse)
    services.decision_record(screening=second, recorded_by=nurse)

    summary = selectors.screening_summary(referred_from=None, referred_to=None)
    assert (summary.referred, summary.screened, summary.eligible, summary.ineligible) == (
        1,
        1,
        1,
        0,
    )
    assert summary.failures == []


def test_summary_page_draws_the_funnel_and_the_failure_chart(investigator_client, cohort):
    response = investigator_client.get(reverse("log:summary"))
    content = response.content.decode()
    assert response.status_code == 200
    funnel = content.split('data-testid="funnel-chart"')[1].split("</svg>")[0]
    failures = content.split('data-testid="failure-chart"')[1].split("</svg>")[0]
    assert re.findall(r'data-value="(\d+)"', funnel) == ["5", "4", "1", "1"]
    assert re.findall(r'data-value="(\d+)"', failures) == ["2", "1", "1"]
    assert "I13 Neutrophils above 1.5 × 10⁹/L" in failures
    assert "Closed incomplete (reason given)" in failures
    assert 'data-testid="count-signed-off">1<' in content
    assert "cdn" not in content.lower() and "<script" not in content.split("</main>")[0]


@pytest.mark.parametrize(
    ("language", "referred", "funnel", "failed"),
    [("da", "100.000", "29.200 (29 %)", "5.200"), ("en", "100,000", "29,200 (29 %)", "5,200")],
)
def test_counts_are_grouped_as_the_reader_writes_them(
    investigator_client, monkeypatch, language, referred, funnel, failed
):
    large = selectors.ScreeningSummary(
        referred=100_000, screened=100_000, eligible=29_200, ineligible=57_200,
        incomplete=13_600, signed_off=0, eligible_signed_off=0,
        failures=[("NCT01387295", "I13", "Neutrophils", 5_200)],
    )  # fmt: skip
    monkeypatch.setattr(selectors, "screening_summary", lambda **period: large)
    investigator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = html.fromstring(investigator_client.get(reverse("log:summary")).content.decode())
    (card,) = page.xpath('//*[@data-testid="count-referred"]')
    assert card.text_content() == referred
    values = page.xpath('//*[@data-testid="funnel-chart"]//*[@data-testid="bar"]/text[2]/text()')
    assert values[2] == funnel
    (row,) = page.xpath('//tr[@data-testid="failure-row"]')
    assert row.xpath("./td[last()]/text()") == [failed]


def test_summary_page_filters_by_period_and_refuses_a_reversed_one(investigator_client, cohort):
    response = investigator_client.get(
        reverse("log:summary"), {"referred_from": "2026-11-05", "referred_to": "2026-11-05"}
    )
    assert response.context["summary"].referred == 1
    assert 'data-testid="no-failures"' in response.content.decode()
    reversed_period = investigator_client.get(
        reverse("log:summary"), {"referred_from": "2026-11-05", "referred_to": "2026-11-01"}
    )
    assert "Must not be before the start date." in reversed_period.content.decode()


def test_summary_query_count_does_not_depend_on_the_patients(
    investigator_client, trial, nurse, cohort, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15) as few:
        investigator_client.get(reverse("log:summary"))
    for fails in [(), ("I14",), ("I13", "I14"), ("E07",)]:
        screen_patient(trial, nurse, fails=fails)
    with django_assert_max_num_queries(15) as more:
        investigator_client.get(reverse("log:summary"))
    assert len(few) == len(more)


def test_bars_scale_to_the_longest_and_long_labels_are_shortened():
    chart = bar_chart([("short", 4), ("x" * 80, 2), ("none", 0)], title="t", fill="#000")
    first, second, third = chart.bars
    assert first.width == 2 * second.width and third.width == 2  # a zero still shows
    assert first.x + first.width <= WIDTH
    assert second.label.endswith("…") and second.title == "x" * 80
    assert chart.height == 3 * 30 + 10


@pytest.mark.parametrize("centered", [False, True])
def test_long_numbers_fit_beside_the_longest_bar(centered):
    texts = ["100000 (100 %)", "29200 (29 %)"]
    chart = bar_chart(
        [("Referred", 100000), ("Eligible", 29200)],
        title="t", fill="#000", centered=centered, value_texts=texts,
    )  # fmt: skip
    for bar in chart.bars:
        assert bar.value_x + VALUE_CHAR_WIDTH * len(bar.value_text) <= WIDTH
