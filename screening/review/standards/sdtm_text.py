"""How TrialSite's texts become SDTM values, by rules written down in docs/standards.md.

- ASCII only, as the FDA's Study Data Technical Conformance Guide asks of submitted data:
  the signs criteria use are spelled out (≥ ">=", × "x", 10⁹ "10^9", µ "u"), Danish letters
  written the Danish way (æ "ae", ø "oe", å "aa"), accents dropped; anything else left is "?".
  pyreadstat would write the UTF-8 bytes as they are (measured: "x≥" was stored 4 bytes long).
- One line: runs of white space become one space.
- At most 200 characters, the limit of a character variable in SAS transport v5 (pyreadstat
  writes 201 without complaint, so the limit is kept here): a longer text is cut at the last
  space before character 197 and ends with " ..."; the full text stays in the protocol file,
  the FHIR and the ODM exports.
- IETESTCD: the criterion code upper-cased, with characters other than A-Z, 0-9 and _ dropped,
  a leading digit prefixed with "C"; when that is longer than 8 characters or already taken,
  its first 6 characters and a 2-digit counter.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 200
MAX_CODE = 8
_SPELLED = {
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "×": "x",
    "µ": "u",
    "μ": "u",
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "æ": "ae",
    "Æ": "AE",
    "ø": "oe",
    "Ø": "OE",
    "å": "aa",
    "Å": "AA",
    "°": " deg",
}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+")


def ascii_text(text: str) -> str:
    """`text` on one line in ASCII, by the rules above."""
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), text)
    text = "".join(_SPELLED.get(char, char) for char in text)
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = "".join(c if 32 <= ord(c) < 127 else (" " if c.isspace() else "?") for c in kept)
    return " ".join(plain.split())


def sdtm_text(text: str, limit: int = MAX_TEXT) -> str:
    """An SDTM character value: ASCII, one line, at most `limit` characters."""
    text = ascii_text(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 3].rstrip()
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut + " ..."


def short_names(codes: list[str]) -> dict[str, str]:
    """Each criterion code's IETESTCD: upper case, at most 8 characters, unique."""
    taken: dict[str, str] = {}
    for code in codes:
        short = re.sub(r"[^A-Z0-9_]", "", ascii_text(code).upper()) or "C"
        if short[0].isdigit():
            short = "C" + short
        if len(short) > MAX_CODE or short in taken.values():
            stem = short[: MAX_CODE - 2]
            short = next(
                f"{stem}{n:02d}" for n in range(1, 100) if f"{stem}{n:02d}" not in taken.values()
            )
        taken[code] = short
    return taken
