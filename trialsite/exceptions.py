"""Errors of the project's shared machinery, each with a message a person can act on."""


class AppendOnlyViolation(Exception):
    """A recorded decision or other audit record was about to be changed or deleted.

    Not a routine user error: the services never attempt it, so reaching it means a bug or a
    tampering attempt, and it surfaces as a server error (logged) rather than a form message.
    """


class AccountError(Exception):
    """An account could not be created or changed as asked; nothing was changed."""
