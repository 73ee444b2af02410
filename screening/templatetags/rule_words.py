"""Each criterion's rule in words beside its label (criteria.describe), so a label that no
longer says what the rule does is seen by the nurse reading it.

- `{{ decision.rules_snapshot|snapshot_words }}`: the words of the rules a decision used;
- `{{ words|rule_of:r.code }}`: one criterion's words from such a mapping ("" if none);
- `{{ decision.rules_snapshot.rules|snapshot_labels }}`: the labels of the rules a decision
  used, in the reader's language (English where the snapshot has no translation);
  `snapshot_notes` their notes likewise.
"""

import functools

from django import template
from django.utils.translation import get_language

from criteria.describe import snapshot_in_words
from criteria.describe import snapshot_labels as labels_of_snapshot
from criteria.describe import snapshot_notes as notes_of_snapshot
from criteria.translations import label_for

register = template.Library()


@register.filter
def snapshot_words(snapshot) -> dict[str, str]:
    """`snapshot`: a RulesSnapshot. It is stored once under the SHA-256 of its content and never
    changed, so its words are worked out once per language, not on every page that shows it."""
    return dict(_words_of(snapshot, get_language()))


@functools.lru_cache(maxsize=64)
def _words_of(snapshot, language: str) -> tuple:
    # Keyed by the snapshot (its primary key is its content's hash) and the language.
    return tuple(snapshot_in_words(snapshot.rules).items())


@register.filter
def rule_of(words: dict | None, code: str) -> str:
    return (words or {}).get(code, "")


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
