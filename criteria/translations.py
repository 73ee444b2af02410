"""Which words of a protocol file a person reads: the one place that decides.

A protocol file is written in English; a variable may carry translations of its label, help
text, unit and choice labels, and a criterion of its label and note:

    "translations": {"da": {"label": "Alder", "help_text": "…", "unit": "år",
                            "choices": {"positive": "Positiv"}}}
    "translations": {"da": {"label": "…", "note": "Protokollen siger ikke …"}}

A note is our reading of an ambiguity in the protocol, not the registered wording, so it is
translated; a translated note needs the English note it translates.

A translated unit is only what a person reads ("45 år"): values are stored, typed and
converted in the variable's own unit.

A person reads the translation into their language when there is one, else the English. The
protocol wording is never translated: it is quoted verbatim from the trial's registration.
Works on anything with `label` and `translations` (rule records, their models, JSON forms).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ENGLISH = "en"
# What a translation may give, by what it translates.
VARIABLE_TEXTS = ("label", "help_text", "unit", "choices")
CRITERION_TEXTS = ("label", "note")
# The order texts are written and listed in, whatever order the database kept them in
# (PostgreSQL's jsonb orders an object's keys by length first: "note" before "label").
TEXT_ORDER = ("label", "help_text", "unit", "choices", "note")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
TEXT_NAMES = {
    "label": gettext_lazy("label"),
    "help_text": gettext_lazy("help text"),
    "unit": gettext_lazy("unit"),
    "choices": gettext_lazy("choices"),
    "note": gettext_lazy("note"),
}


def language_of(code: str | None = None) -> str:
    """The language part of a language code ("da-dk" -> "da"); the active language if none."""
    code = code or translation.get_language() or settings.LANGUAGE_CODE
    return code.split("-")[0].split("_")[0].lower()


def translation_languages() -> list[str]:
    """Each language besides English that a protocol's texts are given in: the site's
    languages (settings.LANGUAGES) except English."""
    found = (language_of(code) for code, _name in settings.LANGUAGES)
    return list(dict.fromkeys(language for language in found if language != ENGLISH))


def _translation(item: Any, language: str | None) -> Mapping:
    texts = item.get("translations") if isinstance(item, Mapping) else item.translations
    return (texts or {}).get(language_of(language)) or {}


def _english(item: Any, name: str) -> str:
    return (item.get(name) if isinstance(item, Mapping) else getattr(item, name)) or ""


def label_for(item: Any, language: str | None = None) -> str:
    """The label `item` (a variable or criterion) shows in `language` (default: the active
    language): its translation there, else the English label."""
    return _translation(item, language).get("label") or _english(item, "label")


def help_text_for(item: Any, language: str | None = None) -> str:
    """A variable's help text in `language`, else the English one. An English help text
    without a translation is shown in English rather than left out."""
    return _translation(item, language).get("help_text") or _english(item, "help_text")


def unit_for(item: Any, language: str | None = None) -> str:
    """A variable's unit as `language` writes it ("years" -> "år"), else its own unit."""
    return _translation(item, language).get("unit") or _english(item, "unit")


def note_for(item: Any, language: str | None = None) -> str:
    """A criterion's note in `language`, else the English one ("" when it has none)."""
    return _translation(item, language).get("note") or _english(item, "note")


def choice_label_for(item: Any, value: str, language: str | None = None) -> str:
    """How a choice value of a variable reads: "no_progression" -> "No progression" in
    English, or the translation's label for that value."""
    translated = (_translation(item, language).get("choices") or {}).get(value)
    return translated or value.replace("_", " ").capitalize()


def translated_texts(item: Any, language: str) -> Mapping:
    """`item`'s translation into `language` as stored ({} when none): for editing it."""
    return _translation(item, language)


def with_translation(translations: Mapping | None, language: str, **texts: Any) -> dict:
    """`translations` with `language`'s texts set to `texts` (an empty text removes it, and a
    language left without texts is dropped): what an editor saves."""
    result = {code: dict(entry) for code, entry in (translations or {}).items()}
    entry = result.setdefault(language, {})
    for name, text in texts.items():
        if text:
            entry[name] = text
        else:
            entry.pop(name, None)
    return {code: entry for code, entry in result.items() if entry}


def rules_in_language(rule_set: Any, language: str | None = None) -> Any:
    """A rule set whose variables and criteria carry their labels (and help texts, units and
    notes) in `language`, for pages and reasons a person reads. It decides exactly as
    `rule_set` does; never record it: a decision stores the rules as the protocol file gives
    them."""
    language = language_of(language)
    if language == ENGLISH:
        return rule_set
    criteria = [
        replace(rule, label=label_for(rule, language), note=note_for(rule, language))
        for rule in rule_set.criteria
    ]
    variables = variables_in_language(rule_set.variables, language)
    return replace(rule_set, variables=variables, criteria=criteria)


def variables_in_language(variables: Mapping[str, Any], language: str | None = None) -> dict:
    """Variable specs by key with their label, help text and unit in `language` (as above)."""
    return {key: _spec_in_language(spec, language) for key, spec in variables.items()}


def _spec_in_language(spec: Any, language: str | None) -> Any:
    return replace(
        spec,
        label=label_for(spec, language),
        help_text=help_text_for(spec, language),
        unit=unit_for(spec, language),
    )


def translations_in_words(translations: Mapping | None, only: tuple[str, ...] = ()) -> str:
    """A record's translations as one line a person reads, e.g. on the Changes page:
    'Danish label: “Trombocytter”; Danish choices: positive = “Positiv”'; with `only`, just
    those texts ("label", "note")."""
    parts = []
    for language in sorted(translations or {}):
        name = language_name(language)
        texts = translations[language] or {}
        for text in sorted(texts, key=_text_rank):
            value = texts[text]
            if only and text not in only:
                continue
            if isinstance(value, Mapping):
                value = ", ".join(f"{key} = “{label}”" for key, label in value.items())
            else:
                value = f"“{value}”"
            what = TEXT_NAMES.get(text, text)
            parts.append(
                _("%(language)s %(text)s: %(value)s")
                % {"language": name, "text": what, "value": value}
            )
    return "; ".join(parts)


def _text_rank(text: str) -> tuple[int, str]:
    return (TEXT_ORDER.index(text) if text in TEXT_ORDER else len(TEXT_ORDER), text)


def language_name(language: str) -> str:
    """ "da" -> "Danish" (in the active language)."""
    try:
        return str(translation.get_language_info(language)["name_translated"])
    except KeyError:
        return language


def translation_problems(
    data: Mapping[str, Any], texts: tuple[str, ...], choices: list | None = None
) -> list[str]:
    """Problems of a record's `translations` (dict form): a map of language code to the texts
    `texts` allows, each non-empty text; a choice label names one of `choices`. English is
    the file's own language, so it is not a translation."""
    given = data.get("translations", {})
    if not isinstance(given, Mapping):
        return ['translations must map a language code to texts, e.g. {"da": {"label": "…"}}']
    problems = []
    for language, entry in given.items():
        where = f"translations {language!r}"
        if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
            problems.append(f"{where}: a language is a lower-case code such as da")
        elif language == ENGLISH:
            problems.append(f"{where}: English is the file's own language; edit the texts")
        if not isinstance(entry, Mapping) or not entry:
            problems.append(f"{where}: must give at least one of {', '.join(texts)}")
            continue
        problems += [f"{where}: {p}" for p in _entry_problems(entry, texts, choices or [])]
    return problems


def _entry_problems(entry: Mapping, texts: tuple[str, ...], choices: list) -> list[str]:
    problems = [
        f'unknown text "{name}" (valid: {", ".join(texts)})' for name in entry if name not in texts
    ]
    for name in ("label", "help_text", "unit", "note"):
        if name in entry and name in texts and not _text(entry[name]):
            problems.append(f"{name} must be non-empty text")
    labels = entry.get("choices", {}) if "choices" in texts else {}
    if not isinstance(labels, Mapping):
        return [*problems, "choices must map a choice to its label"]
    for value, label in labels.items():
        if value not in choices:
            problems.append(f'choices: "{value}" is none of the choices ({", ".join(choices)})')
        elif not _text(label):
            problems.append(f'choices: the label of "{value}" must be non-empty text')
    return problems


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
