"""Shared plumbing of the criteria commands: reading JSON input, failing with exit code 2."""

import json
import sys
from pathlib import Path

from django.core.management.base import CommandError


def fail(message: str) -> CommandError:
    """Bad input: one clear line on stderr and exit code 2 (the caller raises it)."""
    return CommandError(message, returncode=2)


def read_json(source: str) -> object:
    """Parse JSON from a file path, or from stdin when the source is "-"."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise fail(f"cannot read {source}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise fail(f"{source} is not UTF-8 text") from error
    try:
        # Numbers keep their exact decimal text: nothing that decides eligibility is a float.
        return json.loads(
            text,
            parse_float=_exact_decimal,
            parse_int=_bounded_int,
            parse_constant=_refuse_constant,
        )
    except _NumberTooLong as error:
        raise fail(f"{source}: a number in the input is too long ({error} digits)") from error
    except json.JSONDecodeError as error:
        raise fail(
            f"{source}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from error


def _exact_decimal(text: str):
    from decimal import Decimal

    return Decimal(text)


class _NumberTooLong(ValueError):
    pass


# No clinical value needs more digits; Python refuses to parse over 4,300 in any case.
_MAX_DIGITS = 30


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS:
        raise _NumberTooLong(len(text.lstrip("-")))
    return int(text)


def _refuse_constant(name: str):
    raise json.JSONDecodeError(f"{name} is not a number", name, 0)


class CriteriaVersionOption:
    """Lets a command take `--version N` (a criteria set version) in place of Django's own
    --version, which would print the Django version instead."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)
        parser.add_argument(
            "--version", type=int, help="criteria set version (default: the published one)"
        )
        return parser
