"""verify_audit anchors each chain head it verified in a file outside the database, and every
later run finds a chain cut short, rewound or rewritten below an earlier anchor."""

import io
import json
import threading
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from screening import audit, services
from screening.anchors import anchors_read
from screening.exceptions import AnchorFileError
from screening.hashing import GENESIS_HASH
from screening.models import ChainHead, Decision, FailedCriterion, Screening, Signature
from screening.signoff import signature_sign
from tests.cases import fill, register
from tests.factories import TEST_PASSWORD
from tests.screening.log_data import screen_patient

pytestmark = pytest.mark.django_db


def verify(*args: str) -> tuple[int, str, str]:
    """Run verify_audit: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exited:
        return exited.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def two_decisions(trial, nurse):
    screen_patient(trial, nurse, fails=("I13",))
    screen_patient(trial, nurse)
    return list(Decision.objects.order_by("sequence"))


@contextmanager
def triggers_off():
    """As a PostgreSQL superuser: every trigger off (the append-only ones and the foreign-key
    checks) until the end of the block, within the current transaction. SQLite has none."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        cursor.execute("SET LOCAL session_replication_role = origin")


def rewind_newest_decision() -> Decision:
    """What a database superuser can do below the ORM: the newest decision and its
    failed-criterion rows deleted, its episode reset to before it, the chain head rewound
    to the decision before. What is left is a shorter chain, intact link by link."""
    newest = Decision.objects.latest()
    before = Decision.objects.filter(sequence=newest.sequence - 1).first()
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {FailedCriterion._meta.db_table} WHERE decision_id = %s", [newest.pk]
        )
        cursor.execute(f"DELETE FROM {Decision._meta.db_table} WHERE id = %s", [newest.pk])
        cursor.execute(
            f"UPDATE {Screening._meta.db_table} SET current_decision_id = NULL, "
            "current_recorded_at = NULL, current_sequence = NULL, status = %s WHERE id = %s",
            [Screening.Status.IN_PROGRESS, newest.screening_id],
        )
        cursor.execute(
            f"UPDATE {ChainHead._meta.db_table} SET sequence = %s, entry_hash = %s "
            "WHERE name = 'decisions'",
            [before.sequence if before else 0, before.entry_hash if before else GENESIS_HASH],
        )
    return newest


def test_a_first_run_creates_the_file_with_each_verified_head(two_decisions, audit_anchors):
    assert not audit_anchors.exists()
    code, out, _ = verify()
    assert code == 0
    assert f"no earlier anchors in {audit_anchors}" in out
    newest = two_decisions[-1]
    assert f"anchored decision 2, hash {newest.entry_hash[:16]}…" in out
    first, second = lines(audit_anchors)
    assert (first["chain"], first["sequence"], first["entry_hash"]) == (
        "decisions",
        2,
        newest.entry_hash,
    )
    assert (second["chain"], second["sequence"], second["entry_hash"]) == (
        "signatures",
        0,
        GENESIS_HASH,
    )
    assert first["verified_at"].endswith("Z") and first["verified_at"] == second["verified_at"]


def test_every_run_appends_and_checks_the_earlier_anchors(two_decisions, audit_anchors):
    verify()
    before = audit_anchors.read_bytes()
    code, out, _ = verify()
    assert code == 0 and "anchors on the chain: 2 of 2" in out
    assert audit_anchors.read_bytes().startswith(before)
    assert len(lines(audit_anchors)) == 4


def test_decisions_recorded_after_an_anchor_are_fine(trial, nurse, two_decisions, audit_anchors):
    verify()
    third = screen_patient(trial, nurse)
    code, out, _ = verify()
    assert code == 0, out
    assert "audit chain intact: 3 decisions" in out
    assert lines(audit_anchors)[-2]["sequence"] == 3
    assert lines(audit_anchors)[-2]["entry_hash"] == third.entry_hash


def test_a_rewound_chain_is_intact_link_by_link_but_not_against_its_anchor(
    two_decisions, audit_anchors
):
    verify()
    anchored = audit_anchors.read_bytes()
    rewind_newest_decision()
    code, out, _ = verify()
    assert code == 1
    assert "audit chain intact: 1 decisions" in out  # the hash chain alone cannot see it
    assert (
        "audit chain BROKEN at anchor line 1 (decision 2, hash "
        f"{two_decisions[1].entry_hash[:16]}…, verified "
    ) in out
    assert "the chain head is at decision 1, below it" in out
    assert "(1 of 2 anchors are off the chain)" in out
    assert audit_anchors.read_bytes() == anchored  # a broken chain is never anchored


def test_a_decision_recorded_in_place_of_a_removed_one_is_rewritten_history(
    trial, nurse, two_decisions, audit_anchors
):
    verify()
    rewind_newest_decision()
    replacement = screen_patient(trial, nurse)
    assert replacement.sequence == 2
    code, out, _ = verify()
    assert code == 1
    assert "audit chain BROKEN at anchor line 1" in out
    assert f"decision 2 now has hash {replacement.entry_hash[:16]}…" in out
    assert "the history up to it was rewritten" in out


def test_without_the_anchor_file_the_rewind_is_invisible(two_decisions, audit_anchors, tmp_path):
    verify()
    rewind_newest_decision()
    code, out, _ = verify("--anchors", str(tmp_path / "elsewhere.jsonl"))
    assert code == 0 and "audit chain intact: 1 decisions" in out


def test_a_removed_signature_is_found_by_its_anchor(investigator, two_decisions, audit_anchors):
    signature = signature_sign(
        decision=two_decisions[0], signer=investigator, password=TEST_PASSWORD
    )
    verify()
    with triggers_off(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Signature._meta.db_table} WHERE id = %s", [signature.pk])
        cursor.execute(
            f"UPDATE {ChainHead._meta.db_table} SET sequence = 0, entry_hash = %s "
            "WHERE name = 'signatures'",
            [GENESIS_HASH],
        )
    code, out, _ = verify()
    assert code == 1
    assert f"anchor line 2 (signature 1, hash {signature.entry_hash[:16]}…" in out
    assert "the chain head is at signature 0, below it" in out


def test_an_anchor_file_cut_short_stops_the_check_and_is_left_as_it_is(
    two_decisions, audit_anchors
):
    verify()
    audit_anchors.write_bytes(audit_anchors.read_bytes()[:-20])  # the last line cut short
    damaged = audit_anchors.read_bytes()
    code, out, err = verify()
    assert code == 2
    assert f"the anchor file {audit_anchors} is damaged at line 2" in err
    assert "does not end with a newline" in err
    assert "audit chain intact: 2 decisions" in out  # the chain itself was still checked
    assert audit_anchors.read_bytes() == damaged


GOOD = {
    "chain": "decisions",
    "sequence": 0,
    "entry_hash": GENESIS_HASH,
    "verified_at": "2026-12-05T06:00:00Z",
}


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (b"not json", "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "not a JSON object"),
        (b"\xff\xfe", "not a JSON object"),
        (b"", "not a JSON object"),
        (json.dumps([GOOD]).encode(), "exactly the fields"),
        (json.dumps(GOOD | {"extra": 1}).encode(), "exactly the fields"),
        (json.dumps(GOOD | {"chain": "visits"}).encode(), "unknown chain 'visits'"),
        (json.dumps(GOOD | {"sequence": -1}).encode(), "not a whole number of 0 or more"),
        (json.dumps(GOOD | {"sequence": 1.0}).encode(), "not a whole number"),
        (json.dumps(GOOD | {"sequence": True}).encode(), "not a whole number"),
        (json.dumps(GOOD | {"entry_hash": "0" * 63}).encode(), "64 lower-case hex digits"),
        (json.dumps(GOOD | {"entry_hash": "A" * 64}).encode(), "64 lower-case hex digits"),
        (json.dumps(GOOD | {"verified_at": "2026-12-05T06:00:00"}).encode(), "UTC time"),
        (json.dumps(GOOD | {"verified_at": "2026-13-05T06:00:00Z"}).encode(), "UTC time"),
        (json.dumps(GOOD | {"verified_at": 1733378400}).encode(), "UTC time"),
    ],
)
def test_a_line_that_is_no_anchor_is_refused_naming_the_line(tmp_path, line, why):
    path = tmp_path / "anchors.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n" + line + b"\n")
    with pytest.raises(AnchorFileError, match="damaged at line 2") as refused:
        anchors_read(path)
    assert why in str(refused.value)


def test_the_smallest_and_largest_readable_anchor(tmp_path):
    path = tmp_path / "anchors.jsonl"
    largest = GOOD | {"sequence": 2**63, "entry_hash": "f" * 64}
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(largest) + "\n", encoding="utf-8")
    first, second = anchors_read(path)
    assert (first.point.sequence, first.line) == (0, 1)
    assert (second.point.sequence, second.line, second.point.entry_hash) == (2**63, 2, "f" * 64)
    assert first.verified_at.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("sequence", [3, 2**63 - 1, 2**63, 10**30])
def test_an_anchor_past_any_stored_position_is_named_not_a_crash(
    two_decisions, audit_anchors, sequence
):
    anchor = GOOD | {"sequence": sequence, "entry_hash": "a" * 64}
    audit_anchors.write_text(json.dumps(anchor) + "\n", encoding="utf-8")
    code, out, err = verify()
    assert (code, err) == (1, "")
    assert f"anchor line 1 (decision {sequence}, hash aaaaaaaaaaaaaaaa…" in out
    assert "the chain head is at decision 2, below it" in out


def test_a_damaged_line_stops_verify_audit_with_exit_2(two_decisions, audit_anchors):
    audit_anchors.write_text('{"chain": "decisions"}\n', encoding="utf-8")
    code, _, err = verify()
    assert code == 2 and "damaged at line 1" in err
    assert audit_anchors.read_text(encoding="utf-8") == '{"chain": "decisions"}\n'


def test_an_unreadable_anchor_file_stops_verify_audit_with_exit_2(two_decisions, tmp_path):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    code, _, err = verify("--anchors", str(folder))
    assert code == 2 and f"cannot read the anchor file {folder}" in err


def test_an_anchor_file_that_cannot_be_created_stops_verify_audit_with_exit_2(
    two_decisions, tmp_path
):
    path = tmp_path / "no-such-folder" / "anchors.jsonl"
    code, _, err = verify("--anchors", str(path))
    assert code == 2 and f"cannot append to the anchor file {path}" in err
    assert not path.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_superuser_rewind_with_triggers_off_is_named_by_the_anchor(
    trial, nurse, audit_anchors, tmp_path
):
    """The tamper of the issue: in one transaction, as a superuser, triggers off
    (session_replication_role = replica), the newest decision and its failed criteria
    deleted, its episode reset, the chain head rewound, triggers on again; committed."""
    screen_patient(trial, nurse, fails=("I13",))
    newest = screen_patient(trial, nurse, fails=("E07",))
    assert FailedCriterion.objects.filter(decision=newest).exists()
    assert verify()[0] == 0

    with transaction.atomic():
        rewind_newest_decision()
    assert not Decision.objects.filter(pk=newest.pk).exists()
    # The triggers are on again.
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Decision._meta.db_table}")

    code, out, _ = verify()
    assert code == 1
    assert "audit chain intact: 1 decisions" in out
    assert f"audit chain BROKEN at anchor line 1 (decision 2, hash {newest.entry_hash[:16]}" in out
    assert "the chain head is at decision 1, below it" in out
    # Without the anchors the same database passes: they must be kept off this machine.
    code, out, _ = verify("--anchors", str(tmp_path / "fresh.jsonl"))
    assert code == 0 and "audit chain intact: 1 decisions" in out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_a_decision_recorded_during_the_walk_is_no_false_alarm(
    trial, nurse, monkeypatch, audit_anchors
):
    """verify_audit reads one snapshot: a decision recorded (on another connection) while
    the chain is walked shows neither as a head beyond the walk nor in the anchors."""
    screen_patient(trial, nurse)
    episode = fill(register(trial, nurse, initials="CD").screenings.get(), nurse)
    real_failed_rows, recorded = audit._failed_rows, []

    def record_meanwhile(**kwargs):
        if not recorded:
            thread = threading.Thread(target=_record_on_own_connection, args=(episode, nurse))
            thread.start()
            thread.join(timeout=20)
            recorded.append(True)
        return real_failed_rows(**kwargs)

    monkeypatch.setattr(audit, "_failed_rows", record_meanwhile)
    code, out, _ = verify()
    assert code == 0, out
    assert "audit chain intact: 1 decisions" in out
    assert Decision.objects.count() == 2  # recorded, but after the snapshot verified
    assert lines(audit_anchors)[0]["sequence"] == 1
    monkeypatch.undo()
    code, out, _ = verify()
    assert code == 0 and "audit chain intact: 2 decisions" in out


def _record_on_own_connection(episode, nurse) -> None:
    try:
        services.decision_record(screening=episode, recorded_by=nurse)
    finally:
        connection.close()
