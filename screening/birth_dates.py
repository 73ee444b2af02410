"""One date of birth per patient: the registration's. Each screening episode's answer to the
birth-date question is a copy of it, written where the registration is written, so that a
patient registered as born in 1970 can never be screened as born in 1965.

Referrals registered before the date was asked have only a year: an episode's date of birth
must then lie in that year. Used by the services (inside their transactions) and the form.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.date_ranges import BIRTH_KEY
from screening.models import Candidate, Screening
from trialsite.history import history_note

CORRECT_IT = gettext_lazy(
    "If the registration is wrong, correct it with “Edit details” on the patient's page "
    "(the reason is kept in the history)."
)


def birth_date_values(candidate: Candidate) -> dict:
    """{birth key: ISO date} to start an episode with, when the trial asks the date of birth
    and the registration has one; else {}."""
    if candidate.date_of_birth is None:
        return {}
    if not candidate.trial.variables.filter(key=BIRTH_KEY).exists():
        return {}
    return {BIRTH_KEY: candidate.date_of_birth.isoformat()}


def birth_date_conflict(candidate: Candidate, values: dict) -> str | None:
    """Why an episode's `values` (JSON form) disagree with the registration, or None."""
    given = values.get(BIRTH_KEY)
    if candidate.date_of_birth is not None:
        registered = candidate.date_of_birth.isoformat()
        if given is not None and given != registered:
            return _(
                "The date of birth is registered as %(registered)s, not %(given)s. %(fix)s"
            ) % {
                "registered": registered,
                "given": given,
                "fix": CORRECT_IT,
            }
        return None
    if isinstance(given, str) and given[:4] != f"{candidate.year_of_birth:04d}":
        return _(
            "The patient is registered as born in %(year)s; this date of birth lies in another "
            "year. %(fix)s"
        ) % {"year": candidate.year_of_birth, "fix": CORRECT_IT}
    return None


def open_episodes_follow(candidate: Candidate, *, user, reason: str) -> None:
    """After the registered date of birth changed: the undecided episodes that hold a date of
    birth take the new one, with the same reason in their history. Decided episodes keep
    the values their decision was made on."""
    if candidate.date_of_birth is None:
        return
    registered = candidate.date_of_birth.isoformat()
    episodes = candidate.screenings.select_for_update().filter(status=Screening.Status.IN_PROGRESS)
    for episode in episodes:
        if BIRTH_KEY in episode.values and episode.values[BIRTH_KEY] != registered:
            episode.values = {**episode.values, BIRTH_KEY: registered}
            # Now the registration's value, whatever record it was fetched from before.
            episode.value_sources = {
                k: s for k, s in episode.value_sources.items() if k != BIRTH_KEY
            }
            history_note(episode, user=user, reason=reason)
            episode.save()
