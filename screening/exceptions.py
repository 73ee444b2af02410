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
