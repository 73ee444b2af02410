"""The one write of the prefill: approved values stored with their sources."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.selectors import criteria_set_rules
from screening.birth_dates import birth_date_conflict
from screening.exceptions import BirthDateConflict, EpisodeLocked, PrefillFailed, ReasonRequired
from screening.models import Screening
from screening.prefill.mapping import Proposal
from screening.prefill.sources import fhir_source
from trialsite.history import history_note

APPROVED = "values approved from the hospital record (FHIR)"


@transaction.atomic
def prefill_approve(
    *, screening: Screening, proposals: list[Proposal], system: str, approved_by, reason: str = ""
) -> Screening:
    """Store the approved proposals as the episode's values, each with its source.

    In: proposals the nurse approved (usable ones only), the FHIR base URL they came from.
    A value that replaces a different saved one needs `reason`, as any changed answer does.
    Out: the episode, saved once (one history row: values, units and sources old -> new).
    Raises EpisodeLocked, PrefillFailed (nothing approved), ReasonRequired, BirthDateConflict
    (a date of birth other than the registered one); writes nothing then.
    """
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    if locked.is_locked:
        raise EpisodeLocked(
            _("%(episode)s already has a recorded decision; its values are locked.")
            % {"episode": locked}
        )
    chosen = [p for p in proposals if p.usable]
    if not chosen:
        raise PrefillFailed(_("Tick at least one value to approve; nothing was saved."))
    saved = locked.values
    changed = [p.label for p in chosen if p.key in saved and saved[p.key] != p.value]
    if changed and not reason.strip():
        raise ReasonRequired(
            _("Say why saved answers change: %(labels)s.") % {"labels": ", ".join(changed)}
        )
    # The registered date of birth wins here as on the form: a differing one is refused.
    conflict = birth_date_conflict(locked.candidate, saved | {p.key: p.value for p in chosen})
    if conflict:
        raise BirthDateConflict(conflict)
    now = timezone.now()
    by = approved_by.get_username()
    variables = criteria_set_rules(locked.criteria_set).variables
    for proposal in chosen:
        locked.values[proposal.key] = proposal.value
        spec = variables.get(proposal.key)
        # Stored in the canonical unit: the form shows it in that unit from now on.
        if spec is not None and spec.alt_units:
            locked.entered_units[proposal.key] = spec.unit
        else:
            locked.entered_units.pop(proposal.key, None)
        locked.value_sources[proposal.key] = fhir_source(proposal, system=system, by=by, at=now)
    history_note(locked, user=approved_by, reason=reason.strip() or APPROVED)
    locked.save()
    return locked
