"""Shared plumbing of the criteria commands: reading JSON input, failing with exit code 2."""

import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import CommandError

# A case file is a few hundred bytes and NCT01387295's protocol file 43 kB; a protocol nests
# six levels deep. Far larger or deeper input is a mistake (or an attack), refused before it
# can exhaust memory or Python's recursion limit.
MAX_CHARACTERS = 5_000_000
MAX_DEPTH = 32
# No clinical value needs more digits; Python refuses to parse over 4,300 in any case.
_MAX_DIGITS = 30
# Stderr gets one line: a message quoting a huge or multi-line value is cut to this.
_MAX_MESSAGE = 1_000


def fail(message: str) -> CommandError:
    """Bad input: one clear line on stderr and exit code 2 (the caller raises it). Line
    breaks and characters no terminal can print (lone surrogates from JSON escapes) are
    shown escaped, and a very long message is cut."""
    line = message.encode("utf-8", "backslashreplace").decode("utf-8")
    line = line.replace("\r", "\\r").replace("\n", "\\n")
    if len(line) > _MAX_MESSAGE:
        line = f"{line[:_MAX_MESSAGE]}… ({len(line) - _MAX_MESSAGE} more characters)"
    return CommandError(line, returncode=2)


def read_json(source: str) -> object:
    """Parse JSON from a file path, or from stdin when the source is "-"; every problem,
    however hostile the input, is one line on stderr and exit code 2."""
    text = _read_text(source)
    try:
        # Numbers keep their exact decimal text: nothing that decides eligibility is a float.
        data = json.loads(
            text,
            parse_float=_exact_decimal,
            parse_int=_bounded_int,
            parse_constant=_refuse_constant,
        )
    except _NumberRefused as error:
        raise fail(f"{source}: {error}") from error
    except json.JSONDecodeError as error:
        raise fail(
            f"{source}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from error
    except RecursionError as error:
        raise fail(f"{source}: nested more than {MAX_DEPTH} levels deep") from error
    if _deeper_than(data, MAX_DEPTH):
        raise fail(f"{source}: nested more than {MAX_DEPTH} levels deep")
    return data


def _read_text(source: str) -> str:
    try:
        if source == "-":
            text = sys.stdin.read(MAX_CHARACTERS + 1)
        else:
            with Path(source).open(encoding="utf-8") as file:
                text = file.read(MAX_CHARACTERS + 1)
    except OSError as error:
        raise fail(f"cannot read {source}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise fail(f"{source} is not UTF-8 text") from error
    if len(text) > MAX_CHARACTERS:
        raise fail(f"{source} is longer than {MAX_CHARACTERS:,} characters")
    return text


def _deeper_than(data: object, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > limit:
            return True
        stack.extend(
            (child, depth + 1) for child in (item.values() if isinstance(item, dict) else item)
        )
    return False


def _exact_decimal(text: str) -> Decimal:
    if len(text) > _MAX_DIGITS + 10:  # room for a point, signs and an exponent
        raise _NumberRefused(f"a number in the input is too long ({len(text)} characters)")
    try:
        return Decimal(text)
    except InvalidOperation as error:  # an exponent past what Decimal holds: 1e99999999999999999999
        raise _NumberRefused(f"the number {text} is out of range") from error


class _NumberRefused(ValueError):
    pass


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > _MAX_DIGITS:
        raise _NumberRefused(f"a number in the input is too long ({digits} digits)")
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
