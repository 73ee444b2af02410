"""The Danish catalogues are complete: every message marked in the code and templates is in
its app's .po with a translation, none fuzzy, and each keeps the placeholders of its msgid.
A string marked without Danish fails here with the list of what is missing (docs/translating.md:
`make messages`, then translate)."""

import pytest
from babel.messages.pofile import read_po

from trialsite import translations

CATALOGUES = [(app, language) for app in translations.APPS for language in translations.TRANSLATED]


def _read(app: str, language: str):
    path = translations.catalogue_path(app, language)
    assert path.exists(), f"{path} is missing: run `make messages`"
    with path.open("rb") as source:
        return read_po(source, abort_invalid=True)


def _key(message) -> tuple:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return (message.context, msgid)


@pytest.mark.parametrize(("app", "language"), CATALOGUES)
def test_every_marked_message_is_in_the_catalogue(app, language):
    catalogue = {_key(message) for message in _read(app, language) if message.id}
    marked = {_key(message): message for message in translations.extracted(app) if message.id}
    missing = sorted(
        f"{message.locations[0][0]}: {key[1]!r}"
        for key, message in marked.items()
        if key not in catalogue
    )
    assert not missing, (
        f"{len(missing)} message(s) not in {app}'s {language} catalogue; run `make messages` "
        "and translate them:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize(("app", "language"), CATALOGUES)
def test_every_message_is_translated_and_none_fuzzy(app, language):
    catalogue = _read(app, language)
    untranslated = [
        repr(_key(message)[1])
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not message.string
            or (isinstance(message.string, tuple) and not all(message.string))
        )
    ]
    assert not untranslated, f"{app} ({language}): untranslated or fuzzy:\n" + "\n".join(
        untranslated
    )


@pytest.mark.parametrize(("app", "language"), CATALOGUES)
def test_translations_keep_their_placeholders(app, language):
    problems = [
        f"{message.id!r}: {error}"
        for message, errors in _read(app, language).check()
        for error in errors
    ]
    assert not problems, "\n".join(problems)


def test_extraction_reads_python_both_template_tags_and_jinja(tmp_path, monkeypatch):
    (tmp_path / "trialsite").mkdir()
    (tmp_path / "templates" / "criteria").mkdir(parents=True)
    (tmp_path / "trialsite" / "mod.py").write_text(
        "from django.utils.translation import gettext_lazy, ngettext, pgettext\n"
        "A = gettext_lazy('Lazy text')\n"
        "B = ngettext('one row', '%(n)s rows', 2)\n"
        "C = pgettext('outcome', 'Eligible')\n",
        encoding="utf-8",
    )
    (tmp_path / "templates" / "page.html").write_text(
        "{% load i18n %}\n  <p>{% translate 'Plain' %}</p>\n"
        "    {% blocktranslate with name=user %}Hello {{ name }}{% endblocktranslate %}\n",
        encoding="utf-8",
    )
    (tmp_path / "templates" / "criteria" / "x.html").write_text(
        "{% load i18n %}{% translate 'Criteria only' %}", encoding="utf-8"
    )
    (tmp_path / "templates" / "rows.jinja").write_text(
        '{% set a = _("Jinja text") %}{{ ngettext("%(count)s row", "%(count)s rows", 2) }}',
        encoding="utf-8",
    )
    monkeypatch.setattr(translations, "BASE_DIR", tmp_path)
    found = {_key(message) for message in translations.extracted("trialsite") if message.id}
    assert found == {
        (None, "Lazy text"),
        (None, "one row"),
        ("outcome", "Eligible"),
        (None, "Plain"),
        (None, "Hello %(name)s"),
        (None, "Jinja text"),
        (None, "%(count)s row"),
    }
    criteria = {_key(message) for message in translations.extracted("criteria") if message.id}
    assert criteria == {(None, "Criteria only")}


def test_update_adds_new_messages_untranslated_and_keeps_translations(tmp_path, monkeypatch):
    (tmp_path / "trialsite").mkdir()
    source = tmp_path / "trialsite" / "mod.py"
    source.write_text("from django.utils.translation import gettext as _\nA = _('Old')\n")
    monkeypatch.setattr(translations, "BASE_DIR", tmp_path)
    assert translations.update("trialsite", "da") == ["Old"]
    po = translations.catalogue_path("trialsite", "da")
    po.write_text(po.read_text().replace('msgid "Old"\nmsgstr ""', 'msgid "Old"\nmsgstr "Gammel"'))
    source.write_text(
        "from django.utils.translation import gettext as _\nA = _('Old')\nB = _('Olde')\n"
    )
    assert translations.update("trialsite", "da") == ["Olde"]  # never a fuzzy guess from "Old"
    source.write_text("from django.utils.translation import gettext as _\nB = _('Olde')\n")
    translations.update("trialsite", "da")
    text = po.read_text()
    assert "Gammel" not in text and 'msgid "Olde"' in text  # removed from the code: dropped
    assert translations.compile_all() == [po.with_suffix(".mo")]
