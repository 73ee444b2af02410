"""Anchors of the audit chains kept outside the database (DESIGN.md, "Versions and audit").

The hash chain shows a record altered or removed from the middle, but not its tail cut off
with the chain head rewound to match: what is left is a shorter chain that is still intact.
Like a Certificate Transparency log publishing its signed tree heads, `verify_audit` appends
each head it verified (chain, sequence, hash, UTC time) as one JSON line to a file outside the
database, and checks on every run that each earlier anchor is still on the chain: the record
at its sequence exists with its hash, and the head is not below it.

The file is only ever appended to (O_APPEND, fsync), never rewritten. Anything in it that is
not an anchor this module wrote stops the check (AnchorFileError): the file is evidence, and
a person decides what happened to it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from screening.exceptions import AnchorFileError
from screening.hashing import GENESIS_HASH
from screening.models import ChainHead, Decision, Signature
from screening.services import DECISION_CHAIN
from screening.signoff import SIGNATURE_CHAIN

# Chain name -> (its records, what one record is called in a message).
CHAINS = {DECISION_CHAIN: (Decision, "decision"), SIGNATURE_CHAIN: (Signature, "signature")}
FIELDS = ("chain", "sequence", "entry_hash", "verified_at")
SHORT_HASH = 16
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ChainPoint:
    """One position of a chain and the hash of the record there (0: the empty chain)."""

    chain: str
    sequence: int
    entry_hash: str

    @property
    def record(self) -> str:
        return CHAINS[self.chain][1]

    @property
    def short_hash(self) -> str:
        return self.entry_hash[:SHORT_HASH]

    def __str__(self) -> str:
        return f"{self.record} {self.sequence}, hash {self.short_hash}…"

    @property
    def in_full(self) -> str:
        return f"{self.record} {self.sequence}, hash {self.entry_hash}"


@dataclass(frozen=True)
class Anchor:
    """A chain head `verify_audit` verified, read back from line `line` of the anchor file."""

    point: ChainPoint
    verified_at: dt.datetime
    line: int

    def __str__(self) -> str:
        return f"anchor line {self.line} ({self.point}, verified {_shown(self.verified_at)})"


def chain_heads() -> list[ChainPoint]:
    """The head of the decision and the signature chain as stored now, in that order."""
    stored = {
        name: (sequence, entry_hash)
        for name, sequence, entry_hash in (
            ChainHead.objects.values_list("name", "sequence", "entry_hash")
        )
    }
    return [ChainPoint(name, *stored.get(name, (0, GENESIS_HASH))) for name in CHAINS]


def chain_heads_text(*, full: bool = False) -> str:
    """The heads now in words, for an export or a page: "decision 42, hash 3f…; signature
    7, hash 9a…" (the whole hash with `full`, else its first 16 hex digits)."""
    return "; ".join(point.in_full if full else str(point) for point in chain_heads())


def anchors_read(path: Path) -> list[Anchor]:
    """Every anchor in the file, oldest first; none when the file does not exist yet.
    Raises AnchorFileError naming the file, and the line, when it cannot be read or holds
    anything but complete anchors."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as error:
        raise AnchorFileError(f"cannot read the anchor file {path}: {error.strerror}") from error
    lines = data.split(b"\n")
    if lines[-1]:
        raise _malformed(path, len(lines), "it does not end with a newline (cut short?)")
    return [_anchor_parse(raw, number, path) for number, raw in enumerate(lines[:-1], start=1)]


def _anchor_parse(raw: bytes, number: int, path: Path) -> Anchor:
    try:
        fields = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _malformed(path, number, "it is not a JSON object") from None
    if not isinstance(fields, dict) or sorted(fields) != sorted(FIELDS):
        raise _malformed(path, number, f"an anchor has exactly the fields {', '.join(FIELDS)}")
    chain, sequence, entry_hash = fields["chain"], fields["sequence"], fields["entry_hash"]
    if chain not in CHAINS:
        raise _malformed(path, number, f"unknown chain {str(chain)[:40]!r}")
    if type(sequence) is not int or sequence < 0:
        raise _malformed(path, number, "the sequence is not a whole number of 0 or more")
    if not isinstance(entry_hash, str) or not _HEX64.fullmatch(entry_hash):
        raise _malformed(path, number, "the hash is not 64 lower-case hex digits")
    verified_at = _utc_time(fields["verified_at"])
    if verified_at is None:
        raise _malformed(path, number, "verified_at is not a UTC time like 2026-12-05T06:00:00Z")
    return Anchor(ChainPoint(chain, sequence, entry_hash), verified_at, number)


def _utc_time(text) -> dt.datetime | None:
    if not isinstance(text, str) or not text.endswith("Z"):
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _malformed(path: Path, number: int, why: str) -> AnchorFileError:
    return AnchorFileError(
        f"the anchor file {path} is damaged at line {number}: {why}. Nothing was checked "
        "against it or appended to it. Keep the file as evidence and compare it with the "
        'copies kept off this machine (docs/operations.md, "Audit anchors").'
    )


def anchors_off_chain(anchors: list[Anchor]) -> list[tuple[Anchor, str]]:
    """The anchors no longer on their chain, oldest first, each with what is wrong: the
    head is below it (the tail was removed or the head rewound), or the record at its
    sequence is gone or has another hash (the history was rewritten)."""
    heads = {point.chain: point for point in chain_heads()}
    stored = _stored_hashes(anchors, heads)
    off = []
    for anchor in anchors:
        point, head = anchor.point, heads[anchor.point.chain]
        found = stored[point.chain].get(point.sequence)
        if point.sequence > head.sequence:
            problem = (
                f"the chain head is at {head.record} {head.sequence}, below it: "
                f"{head.record}s were removed or the head was rewound"
            )
        elif found is None:
            problem = f"{point.record} {point.sequence} no longer exists"
        elif found != point.entry_hash:
            problem = (
                f"{point.record} {point.sequence} now has hash {found[:SHORT_HASH]}…: "
                "the history up to it was rewritten"
            )
        else:
            continue
        off.append((anchor, problem))
    return off


def _stored_hashes(anchors: list[Anchor], heads: dict, chunk: int = 500) -> dict:
    """The stored hash at each anchored position up to its chain's head, per chain (position
    0: the genesis). Positions past the head are not looked up: no column holds them."""
    wanted = defaultdict(set)
    for anchor in anchors:
        if anchor.point.sequence <= heads[anchor.point.chain].sequence:
            wanted[anchor.point.chain].add(anchor.point.sequence)
    stored = {name: {0: GENESIS_HASH} for name in CHAINS}
    for name, sequences in wanted.items():
        model, pending = CHAINS[name][0], iter(sorted(sequences - {0}))
        while batch := list(islice(pending, chunk)):
            rows = model.objects.filter(sequence__in=batch).values_list("sequence", "entry_hash")
            stored[name].update(rows)
    return stored


def anchors_append(path: Path, points: list[ChainPoint], *, verified_at: dt.datetime) -> None:
    """Append one anchor line per chain head, in one write, and fsync it (and the folder, for
    a new file), so an anchor reported as written survives a crash. Never rewrites the file.
    Raises AnchorFileError when the file cannot be created or written."""
    lines = _anchor_lines(points, verified_at)
    created = not path.exists()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            _write_all(descriptor, lines)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if created:
            _fsync_folder(path.parent)
    except OSError as error:
        raise AnchorFileError(
            f"cannot append to the anchor file {path}: {error.strerror}"
        ) from error


def _anchor_lines(points: list[ChainPoint], verified_at: dt.datetime) -> bytes:
    when = verified_at.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    return "".join(
        json.dumps(
            {
                "chain": point.chain,
                "sequence": point.sequence,
                "entry_hash": point.entry_hash,
                "verified_at": when.replace("+00:00", "Z"),
            },
            sort_keys=True,
        )
        + "\n"
        for point in points
    ).encode("utf-8")


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _shown(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
