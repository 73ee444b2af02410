"""Reads of the criteria app: the published set of a trial, and a set as a protocol/rule set."""

from __future__ import annotations

import functools
import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria import protocol
from criteria.exceptions import CriteriaSetNotFound
from criteria.models import CriteriaSet, Criterion, Trial
from criteria.translations import ENGLISH, label_for, language_of, variables_in_language


def trial_get(registry_id: str) -> Trial | None:
    return Trial.objects.filter(registry_id=registry_id).first()


def trials_screening():
    """The trials a referral can be registered for: those with a published criteria set."""
    published = CriteriaSet.objects.filter(status=CriteriaSet.Status.PUBLISHED)
    return Trial.objects.filter(criteria_sets__in=published).order_by("registry_id")


def trial_ids() -> list[str]:
    """Every trial's registry id, in order: what a trial filter offers."""
    return list(Trial.objects.order_by("registry_id").values_list("registry_id", flat=True))


def criterion_labels(language: str | None = None) -> dict[tuple[str, str], str]:
    """The newest label of each criterion in `language` (default: the active one; English
    where it has no translation), keyed by (registry id, code): two trials may both have an
    I07, and they are different criteria."""
    labels: dict[tuple[str, str], str] = {}
    rows = Criterion.objects.order_by(
        "criteria_set__trial__registry_id", "-criteria_set__version", "order"
    ).values("criteria_set__trial__registry_id", "code", "label", "translations")
    for row in rows:
        key = (row["criteria_set__trial__registry_id"], row["code"])
        if key not in labels:
            labels[key] = label_for(row, language)
    return labels


def criterion_labels_of_sets(
    set_ids: set[int], language: str | None = None
) -> dict[tuple[int, str], str]:
    """Each criterion's label in `language` (default: the active one; English where it has no
    translation) by (criteria set id, code), for the sets `set_ids`; one query, none for
    English or no sets: the label a decision recorded is already the English one."""
    if not set_ids or language_of(language) == ENGLISH:
        return {}
    rows = Criterion.objects.filter(criteria_set_id__in=set_ids).values(
        "criteria_set_id", "code", "label", "translations"
    )
    return {(row["criteria_set_id"], row["code"]): label_for(row, language) for row in rows}


def criteria_set_published(trial: Trial) -> CriteriaSet | None:
    return trial.criteria_sets.filter(status=CriteriaSet.Status.PUBLISHED).first()


def criteria_set_by_version(trial: Trial, version: int) -> CriteriaSet | None:
    return trial.criteria_sets.filter(version=version).first()


def criteria_set_protocol(criteria_set: CriteriaSet) -> dict:
    """One criteria set with its trial and variables, as a protocol file's dict."""
    trial = criteria_set.trial
    info = protocol.TrialInfo(trial.registry_id, trial.title, trial.sponsor_protocol_id)
    # Shape only, not against today's variables: an old version is exported as it was.
    criteria = [protocol.criterion_from_dict(c.as_rule_dict()) for c in criteria_set.criteria.all()]
    variables = trial_variables(trial)
    rules = protocol.RuleSet(info.registry_id, criteria_set.version, variables, criteria)
    return protocol.protocol_to_dict(info, rules)


def criteria_set_rules(criteria_set: CriteriaSet) -> protocol.RuleSet:
    """The set as the evaluator's frozen RuleSet (variables of its trial included), checked
    against today's variables as a protocol file is. Every screening page, Save and decision
    needs one: the rows are read each time, and built and checked once per content."""
    return _rules_of(json.dumps(_rows_as_protocol(criteria_set)))


@functools.lru_cache(maxsize=32)
def _rules_of(protocol_json: str) -> protocol.RuleSet:
    # Keyed by the rows' whole content, so an edited variable or criterion is a new key and can
    # never be served stale; a RuleSet is immutable, so workers' threads may share one.
    _, rule_set = protocol.protocol_from_dict(json.loads(protocol_json))
    return rule_set


def _rows_as_protocol(criteria_set: CriteriaSet) -> dict:
    trial = criteria_set.trial
    return {
        "format": protocol.PROTOCOL_FORMAT,
        "trial": {"registry_id": trial.registry_id, "title": trial.title},
        "variables": [v.as_dict() for v in trial.variables.all()],
        "criteria_set": {
            "version": criteria_set.version,
            "criteria": [c.as_rule_dict() for c in criteria_set.criteria.all()],
        },
    }


def criteria_set_lookup(registry_id: str, version: int | None = None) -> CriteriaSet:
    """The given version of a trial's criteria, or else its published set.

    Raises CriteriaSetNotFound, saying what is missing.
    """
    trial = trial_get(registry_id)
    if trial is None:
        raise CriteriaSetNotFound(f'unknown trial "{registry_id}"')
    found = criteria_set_by_version(trial, version) if version else criteria_set_published(trial)
    if found is None:
        which = f"criteria set version {version}" if version else "published criteria set"
        raise CriteriaSetNotFound(f"{registry_id} has no {which}")
    return found


# In the order the Changes page shows them: the rule first, then the texts nurses read beside it.
DIFF_FIELDS = {
    "expression": gettext_lazy("Rule"),
    "applies_if": gettext_lazy("Applies if"),
    "label": gettext_lazy("Label"),
    "translations": gettext_lazy("Translations"),
    "protocol_wording": gettext_lazy("Protocol wording"),
    "kind": gettext_lazy("Kind"),
    "order": gettext_lazy("Order"),
    "note": gettext_lazy("Note"),
}
# A criteria set's or criterion's other fields, as its history names them.
HISTORY_FIELDS = {
    **DIFF_FIELDS,
    "code": gettext_lazy("Code"),
    "trial": gettext_lazy("Trial"),
    "criteria_set": gettext_lazy("Criteria set"),
    "version": gettext_lazy("Version"),
    "status": gettext_lazy("Status"),
    "based_on": gettext_lazy("Based on"),
    "change_reason": gettext_lazy("Reason for the new version"),
    "created_at": gettext_lazy("Created"),
    "created_by": gettext_lazy("Created by"),
    "published_at": gettext_lazy("Published"),
    "published_by": gettext_lazy("Published by"),
}
RULE_FIELDS = ("expression", "applies_if")
TEXT_FIELDS = ("label", "translations", "protocol_wording")


def criteria_set_diff(old: CriteriaSet, new: CriteriaSet) -> list[dict]:
    """Criterion by criterion, what changed from `old` to `new`: added, removed or changed,
    each field as (name, old, new) in words, and a changed group's `rule_changes` part by part
    ("part 3 added: …"). Where the rule changed, the label and wording are
    listed beside it even when unchanged (old == new), and `warnings` names a number in them
    that the rule no longer has, or that is none of its thresholds (criteria.labels)."""
    variables = trial_variables(new.trial)
    shown = variables_in_language(variables)
    before = {c.code: c.as_rule_dict() for c in old.criteria.all()}
    after = {c.code: c.as_rule_dict() for c in new.criteria.all()}
    entries = []
    for code in sorted(before.keys() | after.keys(), key=_code_order(before, after)):
        was, now = before.get(code), after.get(code)
        fields = _fields(was, now, shown)
        if not fields:
            continue
        change = "added" if was is None else "removed" if now is None else "changed"
        warnings = _label_warnings(was, now, variables) if now else []
        entries.append(
            {
                "code": code,
                "change": change,
                "fields": fields,
                "rule_changes": _rule_changes(was, now, shown),
                "warnings": warnings,
            }
        )
    return entries


def criterion_earlier_rules(
    *, criteria_set: CriteriaSet, codes: list[str], pk: int | None = None
) -> list[dict]:
    """The rules an edit of a draft's criterion replaces (JSON form): its version stored in the
    draft (`pk`), and the criterion of the same code in the set the draft was copied from."""
    earlier = []
    if pk is not None:
        earlier += [c.as_rule_dict() for c in Criterion.objects.filter(pk=pk)]
    if criteria_set.based_on_id is not None:
        copied = Criterion.objects.filter(criteria_set_id=criteria_set.based_on_id, code__in=codes)
        earlier += [c.as_rule_dict() for c in copied]
    return earlier


def trial_variables(trial: Trial) -> dict:
    return {v.key: v.as_spec() for v in trial.variables.all()}


def _code_order(before: dict, after: dict):
    def key(code: str):
        rule = after.get(code) or before[code]
        return (rule["order"], code)

    return key


def _fields(old: dict | None, new: dict | None, variables: dict) -> list[tuple[str, str, str]]:
    from criteria.describe import applies_if_in_words, rule_in_words
    from criteria.translations import translations_in_words

    def shown(rule: dict | None, name: str) -> str:
        if rule is None:
            return ""
        if name == "expression":
            return rule_in_words(rule[name], variables)
        if name == "applies_if":
            return applies_if_in_words(rule[name], variables) or _("always")
        if name == "translations":
            return translations_in_words(rule.get(name)) or _("none")
        return str(rule[name])

    changed = {n for n in DIFF_FIELDS if (old or {}).get(n) != (new or {}).get(n)}
    if old and new and changed & set(RULE_FIELDS):
        changed |= set(TEXT_FIELDS)  # a changed rule is read beside the texts nurses read
    return [
        (title, shown(old, n), shown(new, n)) for n, title in DIFF_FIELDS.items() if n in changed
    ]


def _rule_changes(old: dict | None, new: dict | None, variables: dict) -> list[str]:
    from criteria.describe import rule_changes

    if not old or not new or old["expression"] == new["expression"]:
        return []
    return rule_changes(old["expression"], new["expression"], variables)


def _label_warnings(old: dict | None, new: dict, variables: dict) -> list[str]:
    from criteria.labels import label_flags, stale_label_problems

    stale = stale_label_problems([(new, [old] if old else [])], variables)
    return stale + label_flags([new], variables)


def criteria_history(trial: Trial) -> list[dict]:
    """Every recorded change of the trial's criteria sets and criteria, newest first."""
    from trialsite.history import history_entries

    sets = CriteriaSet.history.filter(trial_id=trial.pk).select_related("history_user")
    set_ids = trial.criteria_sets.values_list("pk", flat=True)
    criteria = Criterion.history.filter(criteria_set_id__in=set_ids).select_related("history_user")
    return history_entries([*sets, *criteria], HISTORY_FIELDS)
