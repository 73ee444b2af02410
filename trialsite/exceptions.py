"""Errors of the project package, each with a message a person can act on."""


class AccountError(Exception):
    """An account could not be created or changed as asked; nothing was changed."""
