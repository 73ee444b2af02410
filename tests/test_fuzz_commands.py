"""The command-line doors, `screen` and `load_protocol`, given input far past any real file:
nesting 100,000 deep, more than 5,000,000 characters, numbers no decimal holds, keys of line
breaks and lone surrogates, a criteria version past 64 bits. Always one line on stderr and
exit code 2, never a traceback; each limit is exact (at it, read; one past, refused)."""

import io
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connections
from hypothesis import given
from hypothesis import strategies as st

from criteria.models import Trial
from tests.test_fuzz import FUZZ, _screen

pytestmark = [pytest.mark.django_db]

TRIAL = "NCT01387295"
PAST_64_BITS = ["9223372036854775808", "18446744073709551616", "1" + "0" * 40]


def _nested(depth: int, inner: str = "1") -> str:
    """A case whose one value is `depth` - 2 arrays deep: `depth` levels with the case's own."""
    return '{"values": {"inr": ' + "[" * (depth - 2) + inner + "]" * (depth - 2) + "}}"


def _padded(length: int) -> str:
    """A case of exactly `length` characters."""
    start, end = '{"values": {}, "pad": "', '"}'
    return start + "x" * (length - len(start) - len(end)) + end


SCREEN_EXTREMES = {
    "arrays 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "objects 100,000 deep": '{"a": ' * 100_000 + "1" + "}" * 100_000,
    "a value 100,000 deep": _nested(100_002),
    "33 levels": _nested(33),
    "over 5,000,000 characters": '{"values": {"inr": "' + "1" * 5_000_000 + '"}}',
    "a 4,000,000-character value": '{"values": {"inr": "' + "1" * 4_000_000 + '"}}',
    "a key of 300,000 line breaks": '{"values": {"' + "k\\n" * 300_000 + '": 1}}',
    "a lone surrogate": '{"values": {"\\ud800": "\\udfff"}}',
    "an exponent no decimal holds": '{"values": {"inr": 1e99999999999999999999999999}}',
    "a 31-digit whole number": '{"values": {"inr": ' + "1" * 31 + "}}",
    "a 5,000-digit decimal": '{"values": {"inr": 1.' + "0" * 5000 + "}}",
    "past 64 bits": '{"values": {"ecog_performance_status": 18446744073709551616}}',
    "past 64 bits, negative": '{"values": {"platelets": -9223372036854775809}}',
}


def _run_from_shell(command: str, text: str, capsys, monkeypatch, *args) -> tuple[int, str]:
    """`manage.py <command> <args> -` with `text` on stdin, as a shell runs it: the exit code
    and what reached stderr."""
    # The test's own database connection must outlive the command.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    handler = load_command_class("criteria", command)
    code = 0
    try:
        handler.run_from_argv(["manage.py", command, *args, "-"])
    except SystemExit as exit_:
        code = exit_.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(SCREEN_EXTREMES))
def test_screen_refuses_extreme_input_with_one_line_and_exit_code_2(
    protocol, capsys, monkeypatch, name
):
    text = SCREEN_EXTREMES[name]
    code, stderr = _run_from_shell("screen", text, capsys, monkeypatch, "--trial", TRIAL)
    assert code == 2, stderr[:300]
    assert stderr.startswith("CommandError: ") and stderr.count("\n") == 1, stderr[:300]
    assert len(stderr) < 1200 and "Traceback" not in stderr


@pytest.mark.parametrize("name", sorted(SCREEN_EXTREMES))
def test_load_protocol_refuses_extreme_input_with_one_line_and_exit_code_2(
    db, capsys, monkeypatch, name
):
    code, stderr = _run_from_shell("load_protocol", SCREEN_EXTREMES[name], capsys, monkeypatch)
    assert code == 2, stderr[:300]
    assert stderr.startswith("CommandError: ") and stderr.count("\n") == 1, stderr[:300]
    assert not Trial.objects.exists()


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (_nested(32), None),
        (_nested(33), "nested more than 32 levels deep"),
        ('{"values": {"inr": ' + "1" * 30 + "}}", None),
        ('{"values": {"inr": ' + "1" * 31 + "}}", "too long (31 digits)"),
        (_padded(5_000_000), None),
        (_padded(5_000_001), "longer than 5,000,000"),
    ],
    ids=["32 levels", "33 levels", "30 digits", "31 digits", "5,000,000", "5,000,001"],
)
def test_the_limits_of_a_case_file_are_exact(protocol, text, refusal):
    """At each limit the case is read (and refused, if at all, for what it says); one past,
    it is refused for its shape."""
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder) / "case.json"
        case.write_text(text, encoding="utf-8")
        try:
            call_command("screen", str(case), trial=TRIAL, stdout=io.StringIO())
            problem = ""
        except CommandError as error:
            problem = str(error)
    if refusal is None:
        assert not any(shape in problem for shape in ("nested", "too long", "longer than"))
    else:
        assert refusal in problem


def test_screen_survives_any_nesting(protocol):
    @FUZZ
    @given(
        depth=st.integers(min_value=1, max_value=150_000),
        opener=st.sampled_from(["[", '{"a": ', '{"values": {"inr": [']),
    )
    def run(depth, opener):
        closer = {"[": "]", '{"a": ': "}", '{"values": {"inr": [': "]}}"}[opener]
        _screen(opener * depth + "1" + closer * depth)

    run()


@pytest.mark.parametrize("number", ["2147483648", *PAST_64_BITS])
def test_screen_refuses_a_criteria_version_past_64_bits_with_exit_code_2(protocol, number):
    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder) / "case.json"
        case.write_text('{"values": {}}', encoding="utf-8")
        with pytest.raises(CommandError) as refused:
            call_command("screen", str(case), trial=TRIAL, version=int(number))
    assert refused.value.returncode == 2
    assert "no criteria set version" in str(refused.value)
