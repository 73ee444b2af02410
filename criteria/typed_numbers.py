"""How typed numbers are read and shown: the one rule for every place a number is typed
(the screening form, the `screen` command's JSON strings, the criteria editor's thresholds).

Danish staff write a decimal comma, others a point; both are read, and text that could be
read two ways is refused with a message saying how to write it, never guessed. Import these
from criteria.values.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

# ASCII digits only ([0-9], not \d, which also matches Arabic-Indic and other digits).
_NUMBER_TEXT = re.compile(r"(?P<sign>[-+−]?)(?P<whole>[0-9]*)(?:[.,](?P<part>[0-9]+))?")
_WHOLE_TEXT = re.compile(r"[0-9]+")
_LONGEST_TEXT = 40


def decimal_from_text(text: str) -> Decimal:
    """The one reading of a typed number: `1.4` and `1,4` are 1.4; `.5` and `,5` are 0.5.

    Text that could be read two ways is refused, never guessed: a point or comma followed by
    exactly three digits (`1,400` is 1.4 in Danish, 1400 in English) unless nothing but 0
    stands before it (`0,400`); two separators (`1.234,5`), spaces inside (`1 400`),
    exponents (`1e3`) and anything else not a plain number. More or fewer than three digits
    after the separator are a decimal part (`12,50`, `1,4000`). Raises ValueError whose message
    says how to write it.
    """
    stripped = text.strip()
    match = _NUMBER_TEXT.fullmatch(stripped) if len(stripped) <= _LONGEST_TEXT else None
    if match is None or not (match["whole"] or match["part"]):
        raise ValueError(_refusal(stripped))
    whole, part = match["whole"], match["part"] or ""
    if len(part) == 3 and whole.lstrip("0"):
        raise ValueError(_two_readings(stripped, whole, part))
    sign = "-" if match["sign"] in ("-", "−") else ""
    return Decimal(f"{sign}{whole or '0'}.{part}" if part else f"{sign}{whole}")


def _two_readings(text: str, whole: str, part: str) -> str:
    sign = "-" if text[0] in "-−" else ""
    short = part.rstrip("0")
    meaning = f"{sign}{whole}.{short}" if short else f"{sign}{whole}"
    decimal = meaning.replace(".", ",") + ("0" if len(short) == 3 else "")
    if _decimal_comma():
        meaning = meaning.replace(".", ",")
    return _(
        '"%(text)s" could mean %(meaning)s or %(whole)s: write %(decimal)s or %(whole)s '
        "(one decimal separator, no thousands separator)"
    ) % {"text": text, "meaning": meaning, "whole": f"{sign}{whole}{part}", "decimal": decimal}


def _refusal(text: str) -> str:
    if not text:
        return _("Enter a number: write one decimal separator, like 1,4 or 1.4")
    if len(text) > _LONGEST_TEXT:
        return _(
            "A number has at most %(limit)s characters: write one decimal separator, "
            "like 1,4 or 1.4"
        ) % {"limit": _LONGEST_TEXT}
    if text[-1] in ".,":
        return _('"%(text)s": write the digits after the decimal separator, like 1,4') % {
            "text": text
        }
    if re.fullmatch(r"[-+−]?[0-9][0-9., \u00a0']*", text):
        return _(
            '"%(text)s": write one decimal separator, like 1,4 or 1.4 — a thousands separator '
            "or space is not allowed"
        ) % {"text": text}
    return _(
        '"%(text)s" is not a number: write one decimal separator, like 1,4 or 1.4, or a whole '
        "number like 12"
    ) % {"text": text}


def integer_from_text(text: str) -> int:
    """A typed whole number: digits only (`2`); anything else raises ValueError saying so."""
    stripped = text.strip()
    if len(stripped) > _LONGEST_TEXT or not _WHOLE_TEXT.fullmatch(stripped):
        raise ValueError(
            _('"%(text)s" is not a whole number: write digits only, like 2')
            % {"text": stripped[:_LONGEST_TEXT]}
        )
    return int(stripped)


def number_text(value: Decimal | int) -> str:
    """A stored number as it is shown back in an input, read back by decimal_from_text as
    the same number.

    Fixed-point (never 1E-7), with the decimal separator of the page's language. Three
    decimals after a non-zero whole part get a fourth, 0, since the rule refuses 1,234 as
    ambiguous but reads 1,2340. The one place that says how a typed number is shown.
    """
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    whole, _point, part = text.partition(".")
    if len(part) == 3 and whole.lstrip("-0"):
        text += "0"
    return shown_number(text)


def shown_number(text: str) -> str:
    """A number written with a point ("1.4", "> 1.5") as the page's language writes it:
    "1,4" in Danish. Only for text that holds numbers, never a label."""
    return text.replace(".", ",") if _decimal_comma() else text


def _decimal_comma() -> bool:
    return (get_language() or "").startswith("da")
