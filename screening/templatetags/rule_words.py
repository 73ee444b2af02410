"""Each criterion's rule in words beside its label (criteria.describe), so a label that no
longer says what the rule does is seen by the nurse reading it.

- `{{ decision.rules_snapshot.rules|snapshot_words }}`: the words of the rules a decision used;
- `{{ words|rule_of:r.code }}`: one criterion's words from such a mapping ("" if none);
- `{{ decision.rules_snapshot.rules|snapshot_labels }}`: the labels of the rules a decision
  used, in the reader's language (English where the snapshot has no translation).
"""

from django import template

from criteria.describe import snapshot_in_words
from criteria.describe import snapshot_labels as labels_of_snapshot

register = template.Library()


@register.filter
def snapshot_words(snapshot: dict) -> dict[str, str]:
    return snapshot_in_words(snapshot)


@register.filter
def rule_of(words: dict | None, code: str) -> str:
    return (words or {}).get(code, "")


@register.filter
def snapshot_labels(snapshot: dict) -> dict[str, str]:
    return labels_of_snapshot(snapshot)
