"""Errors of the screening workflow, each with a message a study nurse can act on."""


class ScreeningError(Exception):
    """Base class: the message is shown to the user as it is."""


class AppendOnlyViolation(ScreeningError):
    """A recorded decision (or other audit record) was about to be changed or deleted."""


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


class BirthDateConflict(ScreeningError):
    """An episode's date of birth differs from the registered one; nothing was saved."""
