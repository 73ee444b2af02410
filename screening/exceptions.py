"""Errors of the screening workflow, each with a message a study nurse can act on."""

from trialsite.exceptions import AppendOnlyViolation  # noqa: F401  (the records raise it too)


class ScreeningError(Exception):
    """Base class: the message is shown to the user as it is."""


class EpisodeLocked(ScreeningError):
    """The screening episode already has a decision; its values can no longer change."""


class NoPublishedCriteria(ScreeningError):
    """The trial has no published criteria set to screen against."""


class ReasonRequired(ScreeningError):
    """An incomplete screening may be recorded as a screen failure only with a reason."""


class SignOffRefused(ScreeningError):
    """A sign-off was refused; nothing was signed. The message says why and what to do."""


class WrongPassword(SignOffRefused):
    """The password re-entered for a signature is not the signer's (the attempt is logged)."""


class AnchorFileError(Exception):
    """The audit anchor file cannot be read or written, or holds a line that is no anchor.

    Not a ScreeningError: it is for whoever runs `verify_audit`, never shown to a nurse."""


class ConfirmationStale(ScreeningError):
    """The screening or the criteria changed after the nurse saw what would be recorded."""


class BirthDateConflict(ScreeningError):
    """An episode's date of birth differs from the registered one; nothing was saved."""


class PrefillFailed(ScreeningError):
    """A look-up in the hospital record failed or found nothing to use; nothing was fetched or
    saved. The message never repeats the patient's identifier."""
