"""A criterion's note (our reading of an ambiguity in the protocol) in the reader's language:
translated in the protocol file, checked by the loader, written in a fixed order, edited beside
the English one, shown on the criteria pages."""

import io
import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from criteria.exceptions import ProtocolError
from criteria.models import Criterion
from criteria.protocol import protocol_from_dict
from criteria.services import criteria_set_draft_create, protocol_load
from criteria.translations import note_for, rules_in_language, translations_in_words
from tests.criteria.cases import (
    I13_DANISH_NOTE,
    I13_NOTE,
    PROTOCOL_FILE,
    criterion_edit_url,
    i13_edit_post,
)


def _protocol() -> dict:
    return json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))


def _i13(data: dict) -> dict:
    return next(c for c in data["criteria_set"]["criteria"] if c["code"] == "I13")


@pytest.mark.parametrize(
    ("item", "language", "note"),
    [
        ({"note": "Read as", "translations": {"da": {"note": "Læst som"}}}, "da", "Læst som"),
        ({"note": "Read as", "translations": {"da": {"note": "Læst som"}}}, "en", "Read as"),
        ({"note": "Read as", "translations": {"da": {"label": "L"}}}, "da", "Read as"),
        ({"note": "", "translations": {}}, "da", ""),
    ],
)
def test_a_note_reads_as_its_translation_else_as_the_files(item, language, note):
    assert note_for(item, language) == note


def test_every_note_of_the_shipped_files_is_given_in_danish():
    for path in sorted(PROTOCOL_FILE.parent.glob("*.json")):
        for criterion in json.loads(path.read_text(encoding="utf-8"))["criteria_set"]["criteria"]:
            danish = criterion["translations"]["da"].get("note", "")
            assert bool(danish) == bool(criterion["note"]), (path.name, criterion["code"])
            assert not danish or danish != criterion["note"], (path.name, criterion["code"])


def test_rules_in_danish_carry_danish_notes():
    _, rules = protocol_from_dict(_protocol())
    danish = {c.code: c.note for c in rules_in_language(rules, "da").criteria}
    assert danish["I13"] == I13_DANISH_NOTE
    assert {c.code: c.note for c in rules.criteria}["I13"] == I13_NOTE


@pytest.mark.parametrize(
    ("note", "translated", "problem"),
    [
        ("", "Læst som", "a translated note needs the criterion's own note"),
        ("Read as", " ", "note must be non-empty text"),
    ],
)
def test_a_bad_note_translation_is_refused_and_nothing_written(db, note, translated, problem):
    data = _protocol()
    i13 = _i13(data)
    i13["note"], i13["translations"]["da"]["note"] = note, translated
    with pytest.raises(ProtocolError, match=f"criterion I13: translations 'da': {problem}"):
        protocol_load(data=data, source="bad.json")
    assert not Criterion.objects.exists()


def test_the_note_is_written_after_the_label_whatever_order_the_database_keeps(protocol):
    i13 = protocol.criteria_set.criteria.get(code="I13")
    # As PostgreSQL's jsonb might hand it back: keys in another order.
    Criterion.objects.filter(pk=i13.pk).update(
        translations={"da": {"note": I13_DANISH_NOTE, "label": "Neutrofile"}}
    )
    out = io.StringIO()
    call_command("export_protocol", "NCT01387295", stdout=out)
    exported = _i13(json.loads(out.getvalue()))
    assert list(exported["translations"]["da"]) == ["label", "note"]


def test_the_shipped_file_exports_its_danish_notes_as_loaded(protocol):
    out = io.StringIO()
    call_command("export_protocol", "NCT01387295", stdout=out)
    assert _i13(json.loads(out.getvalue()))["translations"] == _i13(_protocol())["translations"]


def test_the_criteria_page_shows_the_note_in_the_readers_language(criteria_admin_client, trial):
    url = reverse("criteria:set-detail", args=[trial.registry_id, 1])
    pages = {}
    for language in ("da", "en"):
        criteria_admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        pages[language] = criteria_admin_client.get(url).content.decode()
    english = escape(I13_NOTE)
    assert f"</summary>{I13_DANISH_NOTE}</details>" in pages["da"]
    assert english not in pages["da"]
    # An English reader sees the English note, and under it the Danish one to review it.
    assert f"</summary>{english}<div" in pages["en"]
    note_translations = re.search(r'data-testid="note-translations-I13">(.*?)</div>', pages["en"])
    assert note_translations[1] == f"Danish note: “{I13_DANISH_NOTE}”"
    labels = re.search(r'data-testid="translations-I13">(.*?)</div>', pages["en"])
    assert labels[1] == "Danish label: “Neutrofile granulocytter over 1,5 × 10⁹/L”"


# The editor


@pytest.fixture
def draft(protocol, criteria_admin):
    return criteria_set_draft_create(trial=protocol.trial, created_by=criteria_admin)


def test_the_editor_shows_the_danish_note_beside_the_english(criteria_admin_client, draft):
    page = criteria_admin_client.get(criterion_edit_url(draft.version))
    form = page.context["form"]
    assert (form["note"].value(), form["note_da"].value()) == (I13_NOTE, I13_DANISH_NOTE)
    assert "Note in Danish" in page.content.decode()


def test_the_editor_saves_the_danish_note(criteria_admin_client, draft):
    post = i13_edit_post(note_da="10⁹/L: »109/l« i registreringen.")
    response = criteria_admin_client.post(criterion_edit_url(draft.version), post)
    assert response.status_code == 302
    i13 = draft.criteria.get(code="I13")
    assert i13.translations["da"]["note"] == "10⁹/L: »109/l« i registreringen."
    assert i13.note == I13_NOTE
    assert note_for(i13, "da") == "10⁹/L: »109/l« i registreringen."


def test_an_emptied_danish_note_falls_back_to_english(criteria_admin_client, draft):
    response = criteria_admin_client.post(
        criterion_edit_url(draft.version), i13_edit_post(note_da="")
    )
    assert response.status_code == 302
    i13 = draft.criteria.get(code="I13")
    assert "note" not in i13.translations["da"]
    assert note_for(i13, "da") == I13_NOTE


def test_a_danish_note_without_the_english_is_refused_next_to_it(criteria_admin_client, draft):
    before = draft.criteria.get(code="I13")
    response = criteria_admin_client.post(criterion_edit_url(draft.version), i13_edit_post(note=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["note_da"]
    assert "Write the English note too" in errors["note_da"][0]
    after = draft.criteria.get(code="I13")
    assert (after.note, after.translations) == (before.note, before.translations)


def test_the_changes_page_lists_a_danish_note_change_in_danish(criteria_admin_client, draft):
    post = i13_edit_post(note_da="10⁹/L: »109/l« i registreringen.")
    assert criteria_admin_client.post(criterion_edit_url(draft.version), post).status_code == 302
    criteria_admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    url = reverse("criteria:set-diff", args=["NCT01387295", draft.version])
    page = criteria_admin_client.get(url).content.decode()
    i13 = re.search(r'data-testid="diff-I13">(.*?)</section>', page, re.S)[1]
    assert re.search(r'<span class="badge [^"]*">ændret</span>', i13)
    assert "dansk note: “10⁹/L: »109/l« i registreringen.”" in i13


def test_translations_are_listed_label_first_whatever_order_the_database_keeps():
    # PostgreSQL's jsonb hands keys back shortest first: "note" before "label".
    kept = {"da": {"note": "Læst som", "label": "Alder"}}
    with translation.override("en"):
        assert translations_in_words(kept) == "Danish label: “Alder”; Danish note: “Læst som”"
