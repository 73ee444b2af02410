"""Every page, as every role that opens it, read in English and in Danish: no English is left
on the Danish page, including text never marked for translation (which the catalogue tests
cannot see).

A text a person reads (an element's text, or a title, aria-label, placeholder or alt) that
is the same on both pages and holds a word that is not Danish is English left behind. Danish
words are those of the Danish catalogues; besides them only data may read the same in both
languages: what the database holds and shows as it is (the protocol's registered wording,
names) and the short list of symbols below. A criterion's note is not data: it is our reading
of the protocol, translated in the protocol file, so a Danish page shows it in Danish, a
recorded decision's too; nor are a recorded decision's reasons and workings, worded again
for the reader.
"""

import json
import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.browser.site_pages import PAGE_VISITS, site_make, visit_id
from tests.cases import PROTOCOL_FILE
from trialsite import translations
from trialsite.roles import roles_sync

pytestmark = pytest.mark.django_db

# Words that read the same in Danish and English and are no message of the catalogues: the
# product, standards and units, abbreviations clinicians use in both languages.
SAME_IN_BOTH = {
    "TrialSite", "NCT", "CSV", "XLSX", "XPT", "ODM", "FHIR", "CDISC", "SDTM", "TI", "IE", "JSON",
    "R4", "XML", "SHA", "ECOG", "HER2", "INR", "LVEF", "PET", "CT", "CNS", "mL", "min", "kg",
    "mg", "dL", "mol", "µmol", "L", "g", "U", "Cockcroft-Gault", "LOINC", "NPU", "ISO",
}  # fmt: skip
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# What a data text is set off by on a page: "“wording”", "· name", ": value".
EDGES = ' :·“”"()→'
KEY = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")  # a variable's key: "(lvef_percent)"
HASH = re.compile(r"[0-9a-f]{12,64}…?")
# A Danish note quotes the registered English wording »so«: those words are not Danish.
QUOTED = re.compile(r"»[^«]*«")
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class _Texts(HTMLParser):
    """The texts of a page a person reads (or hears), whitespace collapsed."""

    # <code> holds identifiers (a field's or variable's key), the same in any language;
    # translate="no" marks a value shown as stored (a history's old → new, a changed label).
    SKIPPED = {"script", "style", "template", "code"}
    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._open: list[str] = []  # the skipped elements we are inside of

    def handle_starttag(self, tag, attrs):
        given = dict(attrs)
        if tag in self.SKIPPED or given.get("translate") == "no":
            self._open.append(tag)
        elif self._open and tag == self._open[-1]:
            self._open.append(tag)  # the same tag nested inside a skipped one
        if tag in self.VOID:
            self.handle_endtag(tag)
        self.texts += [given[name] for name in READ_ATTRIBUTES if given.get(name)]
        if tag == "input" and given.get("type") in ("submit", "button") and given.get("value"):
            self.texts.append(given["value"])

    def handle_endtag(self, tag):
        if self._open and tag == self._open[-1]:
            self._open.pop()

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._open:
            self.texts.append(text)


def page_texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return {" ".join(text.split()) for text in parser.texts}


def danish_words() -> set[str]:
    """Every word of the Danish catalogues and of the protocol's Danish translations."""
    from criteria.models import Criterion, Variable

    texts = []
    for app in translations.APPS:
        with translations.catalogue_path(app, "da").open("rb") as source:
            for message in read_po(source):
                strings = message.string if isinstance(message.string, tuple) else [message.string]
                texts += strings
    for record in [*Variable.objects.all(), *Criterion.objects.all()]:
        danish = json.dumps(record.translations.get("da", {}), ensure_ascii=False)
        texts.append(QUOTED.sub("", danish))
    return {word.lower() for text in texts for word in WORD.findall(text or "")}


def data_texts() -> list[str]:
    """What the pages show as the database holds it, in whichever language they are read."""
    from criteria.models import CriteriaSet, Criterion, Trial
    from screening.models import Candidate, Decision, Screening

    texts = []
    for user in get_user_model().objects.all():
        texts += [user.get_username(), user.get_full_name()]
    for trial in Trial.objects.all():
        texts += [trial.registry_id, trial.title, trial.sponsor_protocol_id]
    for criterion in Criterion.objects.all():
        texts.append(criterion.protocol_wording)
    for candidate in Candidate.objects.all():
        texts += [candidate.initials, candidate.referring_unit]
    for decision in Decision.objects.all():
        # Notes, reasons and workings are shown in the reader's language, not as recorded.
        results = [
            {k: v for k, v in r.items() if k not in ("note", "reason")} for r in decision.results
        ]
        texts += [decision.screen_failure_reason, json.dumps(results, ensure_ascii=False)]
    for model in (Candidate, Screening, CriteriaSet, Criterion):
        texts += model.history.values_list("history_change_reason", flat=True)
    return [" ".join(text.split()) for text in texts if text]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """site_pages' data, made once for the module (the pages only read); emptied at the end."""
    from criteria.services import protocol_load

    with django_db_blocker.unblock():
        data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
        trial = protocol_load(data=data, source=PROTOCOL_FILE.name).trial
        placeholders = site_make(trial)
        data = data_texts()
        names = {
            word.lower()
            for user in get_user_model().objects.all()
            for word in WORD.findall(f"{user.get_username()} {user.get_full_name()}")
        }
        allowed = {"words": danish_words() | names, "data": data}
        try:
            yield placeholders, allowed
        finally:
            call_command("flush", interactive=False, verbosity=0)
            roles_sync()


def english_left(text: str, allowed: dict) -> bool:
    """Whether `text` (the same on both pages) holds a word that is neither Danish nor data."""
    parts = [part.strip(EDGES) for part in text.split(" · ")]
    return any(_english_part(part, allowed) for part in parts)


def _english_part(text: str, allowed: dict) -> bool:
    if HASH.fullmatch(text) or any(text in data for data in allowed["data"]):
        return False
    words = WORD.findall(KEY.sub("", text))
    return any(
        word.lower() not in allowed["words"] and word not in SAME_IN_BOTH and len(word) > 1
        for word in words
    )


def read(role: str, language: str, path: str) -> set[str]:
    client = Client()
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=role))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path)
    assert response.status_code == 200, f"{path} answered {response.status_code} to {role}"
    assert response.headers["Content-Language"] == language
    return page_texts(response.content.decode())


@pytest.mark.parametrize("visit", PAGE_VISITS, ids=visit_id)
def test_no_english_is_left_on_the_danish_page(visit, site):
    placeholders, allowed = site
    role, spec = visit
    path = spec.path.format(**placeholders)
    same = read(role, "en", path) & read(role, "da", path)
    left = sorted(text for text in same if english_left(text, allowed))
    assert left == [], f"English on the Danish {spec.name} page ({role}):\n" + "\n".join(left)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Record decision", True),  # never marked: no Danish word
        ("Gem ændringer", False),
        ("Bilirubin (bilirubin_x_uln)", False),  # a Danish label and the variable's key
        ("I07", False),
        ("05-12-2026 14:30", False),
        ("10⁹/L", False),
        ("3a924871ec0eaad2…", False),
        ("NCT01387295 · The registered title", False),
        ("NCT01387295 · The registered title · Sign off", True),
        ("Intra-hepatic Chemotherapy With", False),  # a part of the registered title
        ("Chemotherapy With Oxaliplatin Daily", True),  # not a part of it
    ],
)
def test_english_is_told_from_danish_and_data(text, english):
    allowed = {"words": {"gem", "ændringer", "bilirubin"}, "data": ["The registered title",
               "Intra-hepatic Chemotherapy With Oxaliplatin Every Second Week"]}  # fmt: skip
    assert english_left(text, allowed) is english


def test_text_marked_as_stored_code_or_script_is_not_read():
    html = (
        '<p>Gem <code>lvef_percent</code></p><script>var a = "Save";</script>'
        '<td translate="no"><del>Old label</del></td><span title="Luk">x</span>'
        '<input type="submit" value="Gem"><span translate="no">a<span>b</span>c</span>d'
    )
    assert page_texts(html) == {"Gem", "Luk", "x", "d"}
