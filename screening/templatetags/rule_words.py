"""Each criterion's rule in words beside its label (criteria.describe), so a label that no
longer says what the rule does is seen by the nurse reading it.

- `{{ decision.rules_snapshot|snapshot_words }}`: the words of the rules a decision used;
- `{{ words|rule_of:r.code }}`: one criterion's words from such a mapping ("" if none);
- `{{ decision|worded_again }}`: a recorded decision's reasons and workings in the reader's
  language, worked out again from what it stored;
- `{{ decision.rules_snapshot.rules|snapshot_labels }}`: the labels of the rules a decision
  used, in the reader's language (English where the snapshot has no translation);
  `snapshot_notes` their notes likewise.
"""

import functools

from django import template
from django.utils.translation import get_language

from criteria.describe import evaluation_again, rules_in_words, snapshot_rules
from criteria.describe import snapshot_labels as labels_of_snapshot
from criteria.describe import snapshot_notes as notes_of_snapshot
from criteria.translations import ENGLISH, label_for, language_of

register = template.Library()


@register.filter
def snapshot_words(snapshot) -> dict[str, str]:
    """`snapshot`: a RulesSnapshot. It is stored once under the SHA-256 of its content and never
    changed, so its words are worked out once per language, not on every page that shows it."""
    return dict(_words_of(snapshot, get_language()))


@functools.lru_cache(maxsize=64)
def _words_of(snapshot, language: str) -> tuple:
    rules = _rules_of(snapshot, language)
    return tuple(rules_in_words(rules).items()) if rules else ()


@functools.lru_cache(maxsize=64)
def _rules_of(snapshot, language: str):
    # Keyed by the snapshot (its primary key is its content's hash) and the language; a
    # RuleSet is immutable, so requests may share one.
    return snapshot_rules(snapshot.rules)


@register.filter
def rule_of(words: dict | None, code: str) -> str:
    return (words or {}).get(code, "")


@register.filter
def worded_again(decision) -> dict[str, dict[str, str]]:
    """A recorded decision's reasons (by code) and workings (by variable key) in the reader's
    language, worked out again from its rules and values: {"reasons": …, "workings": …}. Empty
    for an English reader (it recorded them in English) and where they do not give the
    recorded statuses: the page then shows the recorded words."""
    again = None
    if language_of() != ENGLISH:
        rules = _rules_of(decision.rules_snapshot, get_language())
        again = rules and evaluation_again(rules, decision.values_snapshot, decision.results)
    if not again:
        return {"reasons": {}, "workings": {}}
    return {
        "reasons": {r.code: r.reason for r in again.results},
        "workings": {key: str(d.how) for key, d in again.derived.items()},
    }


@register.filter
def snapshot_labels(snapshot: dict) -> dict[str, str]:
    return labels_of_snapshot(snapshot)


@register.filter
def snapshot_notes(snapshot: dict) -> dict[str, str]:
    return notes_of_snapshot(snapshot)


@register.filter
def label_in(key: str, snapshot: dict | None) -> str:
    """A variable's label from a decision's rules snapshot (its key if the snapshot has none):
    what a decision recorded is named as the nurse saw it, never by its key."""
    for variable in (snapshot or {}).get("variables", ()):
        if variable.get("key") == key:
            return label_for(variable) or key
    return key


@register.filter
def labels_in(keys, snapshot: dict | None) -> list[str]:
    return [label_in(key, snapshot) for key in keys or ()]
