"""The protocol's texts in the reader's language on the nurse's and investigator's pages and
in the exports; what is recorded stays as the protocol file gives it (English)."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from lxml import html
from openpyxl import load_workbook

from criteria.describe import evaluation_again, snapshot_rules
from screening import services
from screening.models import Decision
from tests.cases import fill, form_url, register

pytestmark = pytest.mark.django_db


def _get(client, url: str, language: str, **params):
    # The language as the site's switch leaves it (its cookie), and active here.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with translation.override(language):
        return client.get(url, params)


def _text(response) -> str:
    return response.content.decode("utf-8-sig")


@pytest.fixture
def decided(trial, nurse):
    """An ineligible patient: neutrophils 1.2 fail I13."""
    candidate = register(trial, nurse)
    episode = fill(candidate.screenings.get(), nurse, neutrophils="1.2")
    return services.decision_record(screening=episode, recorded_by=nurse)


def test_the_screening_form_asks_in_danish(nurse_client, candidate):
    form = _get(nurse_client, form_url(candidate), "da").context["form"]
    assert form.fields["neutrophils"].label.startswith("Neutrofile granulocytter")
    assert form.fields["platelets"].label.startswith("Trombocytter")
    assert form.fields["informed_consent"].label == "Informeret samtykke"
    assert (
        form.fields["informed_consent"].help_text
        == "Skriftligt informeret samtykke er underskrevet."
    )
    assert ("positive", "Positiv") in form.fields["her2_status"].choices


def test_the_screening_form_asks_in_english(nurse_client, candidate):
    form = _get(nurse_client, form_url(candidate), "en").context["form"]
    assert form.fields["neutrophils"].label.startswith("Neutrophils")
    assert ("positive", "Positive") in form.fields["her2_status"].choices


def test_the_standing_panel_names_criteria_and_values_in_danish(nurse_client, trial, nurse):
    candidate = register(trial, nurse)
    fill(candidate.screenings.get(), nurse, neutrophils="1.2")
    page = _get(nurse_client, form_url(candidate), "da")
    i13 = next(r for r in page.context["standing"].results if r.code == "I13")
    assert i13.label == "Neutrofile granulocytter over 1,5 × 10⁹/L"
    assert "Neutrofile granulocytter 1,2" in i13.reason  # and a decimal comma
    assert "Neutrofile granulocytter over 1,5 × 10⁹/L" in _text(page)


def test_a_recorded_decision_keeps_english_and_is_shown_in_danish(nurse_client, decided):
    i13 = next(r for r in decided.results if r["code"] == "I13")
    assert i13["label"] == "Neutrophils above 1.5 × 10⁹/L"  # what is recorded
    assert "Neutrophils 1.2" in i13["reason"]
    url = reverse("screening:candidate-detail", args=[decided.screening.candidate.screening_number])
    danish, english = _text(_get(nurse_client, url, "da")), _text(_get(nurse_client, url, "en"))
    assert "Neutrofile granulocytter over 1,5 × 10⁹/L" in danish
    assert "Neutrophils above 1.5 × 10⁹/L" in english
    assert "Neutrofile granulocytter over" not in english
    Decision.objects.get(pk=decided.pk)  # still there, unchanged
    assert Decision.objects.get(pk=decided.pk).results == decided.results


def test_the_criteria_page_shows_danish_labels_beside_the_verbatim_wording(
    criteria_admin_client, trial
):
    url = reverse("criteria:set-detail", args=[trial.registry_id, 1])
    page = _text(_get(criteria_admin_client, url, "da"))
    i13 = trial.criteria_sets.get(version=1).criteria.get(code="I13")
    assert "Neutrofile granulocytter over 1,5 × 10⁹/L" in page
    assert f"“{escape(i13.protocol_wording)}”" in page  # as registered, in English
    assert "Neutrofile granulocytter &gt; 1,5" in page  # the rule in words, Danish labels and comma


def test_the_log_and_summary_name_failed_criteria_in_danish(investigator_client, decided):
    log = _text(_get(investigator_client, reverse("log:list"), "da"))
    assert "Neutrofile granulocytter over 1,5 × 10⁹/L" in log
    summary = _text(_get(investigator_client, reverse("log:summary"), "da"))
    assert "Neutrofile granulocytter over 1,5 × 10⁹/L" in summary
    english = _text(_get(investigator_client, reverse("log:list"), "en"))
    assert "Neutrophils above 1.5 × 10⁹/L" in english


LABELS = {"da": "Neutrofile granulocytter over 1,5", "en": "Neutrophils above 1.5"}


def _csv_language_and_i13(client, language: str) -> tuple[str, str]:
    text = _text(_get(client, reverse("log:export-csv"), language))
    rows = list(csv.reader(io.StringIO(text)))
    words = rows[2][rows[1].index("Screen failure reasons (words)")]
    return rows[0][1].removeprefix("Language: "), words


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_csv_export_states_the_language_its_labels_are_in(
    investigator_client, decided, language
):
    stated, words = _csv_language_and_i13(investigator_client, language)
    assert words.startswith(f"I13 {LABELS[stated]}")


def test_the_csv_export_labels_criteria_in_the_requesting_users_language(
    investigator_client, decided
):
    for language in ("da", "en"):
        assert _csv_language_and_i13(investigator_client, language)[0] == language


def test_the_xlsx_export_states_its_language(investigator_client, decided):
    response = _get(investigator_client, reverse("log:export-xlsx"), "da")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.properties.language == "da"
    about = dict(workbook["Export"].iter_rows(values_only=True))
    assert about["Language"] == "da"
    sheet = list(workbook["Screening log"].iter_rows(values_only=True))
    words = sheet[1][sheet[0].index("Screen failure reasons (words)")]
    assert words.startswith("I13 Neutrofile granulocytter over 1,5 × 10⁹/L")


def test_the_confirmation_shows_danish_labels_and_records_english(nurse_client, trial, nurse):
    candidate = register(trial, nurse)
    episode = fill(candidate.screenings.get(), nurse, neutrophils="1.2")
    url = reverse(
        "screening:decision-record",
        kwargs={"number": candidate.screening_number, "episode": episode.episode},
    )
    page = _get(nurse_client, url, "da")
    assert [r.label for r in page.context["failed"]] == [
        "Neutrofile granulocytter over 1,5 × 10⁹/L"
    ]
    fingerprint = page.context["form"].initial["fingerprint"]
    with translation.override("da"):
        nurse_client.post(url, {"fingerprint": fingerprint, "screen_failure_reason": ""})
    recorded = episode.decisions.get()
    assert recorded.outcome == "ineligible"
    i13 = next(r for r in recorded.results if r["code"] == "I13")
    assert i13["label"] == "Neutrophils above 1.5 × 10⁹/L"
    assert recorded.rules_snapshot.rules["variables"][0]["label"] == "Screening date"


def test_a_decision_rules_in_words_follow_the_reader_language_page_after_page(
    nurse_client, decided
):
    # The words of a decision's rules are worked out once per snapshot and language: a Danish
    # reader after an English one (and back) must each get their own.
    url = reverse("screening:candidate-detail", args=[decided.screening.candidate.screening_number])
    pages = [_text(_get(nurse_client, url, language)) for language in ("en", "da", "en", "da")]

    def rule_words(page: str) -> list[str]:
        return re.findall(r'data-testid="rule-words">(.*?)</div>', page)

    english, danish = rule_words(pages[0]), rule_words(pages[1])
    assert len(english) == len(danish) == 37
    assert "Neutrophils &gt; 1.5 × 10⁹/L" in " ".join(english)
    assert "Neutrofile granulocytter &gt; 1,5 × 10⁹/L" in " ".join(danish)
    assert rule_words(pages[2]) == english
    assert rule_words(pages[3]) == danish


def test_derived_workings_read_danish_numbers_on_the_page_and_are_recorded_in_english(
    nurse_client, trial, nurse
):
    candidate = register(trial, nurse)
    episode = fill(candidate.screenings.get(), nurse)
    page = _text(_get(nurse_client, form_url(candidate), "da"))
    assert "× 0,85 / (72 × 0,90 mg/dL [80 µmol/L ÷ 88,4]) = 72,14 mL/min" in page
    assert "10 µmol/L ÷ 22 µmol/L ØNG = 0,45 × ØNG" in page
    with translation.override("da"):
        recorded = services.decision_record(screening=episode, recorded_by=nurse)
    derived = {key: d["how"] for key, d in recorded.derived.items()}
    assert derived["creatinine_clearance"].endswith(
        "× 0.85 / (72 × 0.90 mg/dL [80 µmol/L ÷ 88.4]) = 72.14 mL/min"
    )
    assert derived["bilirubin_x_uln"] == "10 µmol/L ÷ 22 µmol/L ULN = 0.45 × ULN"
    assert re.fullmatch(
        r"61 completed years on \d{4}-\d\d-\d\d, born 1965-03-02", derived["age_years"]
    )
    # The recorded decision's page words them again for its reader.
    url = reverse("screening:candidate-detail", args=[candidate.screening_number])
    danish = _text(_get(nurse_client, url, "da"))
    assert "10 µmol/L ÷ 22 µmol/L ØNG = 0,45 × ØNG" in danish
    assert "born 1965-03-02" not in danish and "02-03-1965" in danish
    english = _text(_get(nurse_client, url, "en"))
    assert "10 µmol/L ÷ 22 µmol/L ULN = 0.45 × ULN" in english


I13_NOTE = {
    "da": "»109/l« i registreringen betyder 10⁹/L.",
    "en": '"109/l" in the record is 10⁹/L.',
}


def _shown_note(page: str) -> str:
    i13 = re.search(r'<tr data-code="I13".*?</tr>', page, re.S)[0]
    return re.search(r"</summary>(.*?)</details>", i13, re.S)[1]


def test_the_standing_panel_shows_notes_in_the_readers_language(nurse_client, candidate):
    for language in ("da", "en"):
        page = _text(_get(nurse_client, form_url(candidate), language))
        assert _shown_note(page) == escape(I13_NOTE[language])


def _shown_reason(page: str, code: str) -> str:
    row = re.search(rf'<tr data-code="{code}".*?</tr>', page, re.S)[0]
    return re.search(r'<div class="small text-body-secondary">(.*?)</div>', row, re.S)[1]


I13_REASON = {
    "en": "Neutrophils 1.2 × 10⁹/L — needs &gt; 1.5",
    "da": "Neutrofile granulocytter 1,2 × 10⁹/L — kræver &gt; 1,5",
}
E02_REASON = {  # a choice by its label
    "en": "Other malignancy is none — excluded when other",
    "da": "Anden malign sygdom er ingen — ekskluderet ved anden malign sygdom",
}


def test_a_recorded_decision_keeps_its_notes_and_reasons_in_english_and_shows_them_translated(
    investigator_client, decided
):
    recorded = {r["code"]: (r["note"], r["reason"]) for r in decided.results}
    assert recorded["I13"][0] == I13_NOTE["en"]
    assert escape(recorded["I13"][1]) == I13_REASON["en"]
    number = decided.screening.candidate.screening_number
    for url in (
        reverse("screening:candidate-detail", args=[number]),
        reverse("log:signoff", args=[decided.public_id]),
    ):
        for language in ("da", "en"):
            page = _text(_get(investigator_client, url, language))
            assert _shown_note(page) == escape(I13_NOTE[language]), (url, language)
            assert _shown_reason(page, "I13") == I13_REASON[language], (url, language)
            assert _shown_reason(page, "E02") == E02_REASON[language], (url, language)
    decided.refresh_from_db()
    assert {r["code"]: (r["note"], r["reason"]) for r in decided.results} == recorded


def test_the_log_dates_read_as_the_readers_language_writes_them(investigator_client, decided):
    screened = timezone.localdate(decided.recorded_at)
    pages = {
        lang: _text(_get(investigator_client, reverse("log:list"), lang)) for lang in ("da", "en")
    }
    # The row's cells: number, trial, episode, referred, screened, ...
    cells = {
        lang: [
            " ".join(td.text_content().split())
            for td in html.fromstring(page).xpath('//tr[@data-testid="log-row"]/td')
        ]
        for lang, page in pages.items()
    }
    assert cells["da"][3:5] == ["18-11-2026", f"{screened:%d-%m-%Y}"]
    assert "2026-11-18" not in pages["da"]
    assert cells["en"][3:5] == ["2026-11-18", f"{screened:%Y-%m-%d}"]


def test_a_danish_export_keeps_its_other_words_english(investigator_client, decided):
    # Column names, outcome, yes/no and sign-off read the same in every file; only the
    # criteria's labels follow the exporter's language, as the first row states.
    text = _text(_get(investigator_client, reverse("log:export-csv"), "da"))
    heads, row = list(csv.reader(io.StringIO(text)))[1:3]
    cells = dict(zip(heads, row, strict=True))
    assert cells["Outcome"] == "Ineligible"
    assert cells["Eligible (yes/no)"] == "no"
    assert cells["Sign-off"] == "awaiting sign-off"
    assert cells["Screen failure reasons (words)"].startswith(f"I13 {LABELS['da']}")


def test_words_that_would_not_give_the_recorded_statuses_are_shown_as_recorded(decided):
    # Worked out again, the words must come from the results recorded; a status that does
    # not match (rules or values this version reads differently) leaves the recorded words.
    values = decided.values_snapshot
    with translation.override("da"):
        rules = snapshot_rules(decided.rules_snapshot.rules)
        again = evaluation_again(rules, values, decided.results)
        i13 = next(r for r in again.results if r.code == "I13")
        assert i13.reason == "Neutrofile granulocytter 1,2 × 10⁹/L — kræver > 1,5"
        changed = [dict(r, status="met") if r["code"] == "I13" else r for r in decided.results]
        assert evaluation_again(rules, values, changed) is None
        assert evaluation_again(rules, {**values, "neutrophils": "x"}, decided.results) is None
