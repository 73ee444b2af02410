"""What the account commands share: the password prompt and the exit code for bad input."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable

from django.core.management.base import CommandError

from trialsite.exceptions import AccountError

# As for `screen`: bad input is exit code 2, nothing changed.
BAD_INPUT = 2


def add_password_argument(parser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of asking",
    )


def password_read(*, from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a terminal."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("New password: ")
        if getpass.getpass("New password again: ") != password:
            raise CommandError("The two passwords differ; nothing changed.", returncode=BAD_INPUT)
    else:
        raise CommandError(
            "No terminal to ask for the password: pipe it in with --password-stdin.",
            returncode=BAD_INPUT,
        )
    if not password:
        raise CommandError("The password is empty; nothing changed.", returncode=BAD_INPUT)
    return password


def account_run(service: Callable, **kwargs):
    """Run an account service; its refusal becomes a message on stderr and exit code 2."""
    try:
        return service(**kwargs)
    except AccountError as error:
        raise CommandError(f"{error} Nothing changed.", returncode=BAD_INPUT) from None
