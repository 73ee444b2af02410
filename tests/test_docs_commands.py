"""Every shell command the README and docs/ show as runnable works as printed, in a checkout
set up the way `make run` sets one up.

The marker is the fenced block's info string:
    ```sh                      runnable; must exit 0
    ```sh exit=N               runnable; must exit N
    ```sh no-run: REASON       shown only (a server, PostgreSQL as superuser, destroys data)
Other shell block languages (bash, shell, console) are refused, so no command escapes the
check by its spelling. Each block runs as one bash script (errexit, pipefail) in a scratch
copy of this checkout: its own db.sqlite3 (migrated, protocol loaded, demo accounts), the
.env that `make .env` writes, the shared .venv and node_modules, and none of the test run's
DJANGO_*, DATABASE_URL or TRIALSITE_* variables.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(\s*)```(\S*)[ \t]*(.*)$")  # indented too: blocks inside lists
SHELLS = {"sh", "bash", "shell", "console", "zsh"}


@dataclass(frozen=True)
class Block:
    where: str
    language: str
    marker: str
    script: str


def doc_blocks() -> list[Block]:
    blocks = []
    for doc in DOCS:
        lines = doc.read_text(encoding="utf-8").splitlines()
        opened = None
        for number, line in enumerate(lines, start=1):
            fence = FENCE.match(line)
            if fence and opened is None:
                indent, language, marker = fence.groups()
                opened, body = (number, language, marker.strip()), []
            elif line.strip().startswith("```") and opened is not None:
                start, language, marker = opened
                where = f"{doc.relative_to(ROOT)}:{start}"
                blocks.append(Block(where, language, marker, "\n".join(body) + "\n"))
                opened = None
            elif opened is not None:
                body.append(line.removeprefix(indent))
    return blocks


BLOCKS = [b for b in doc_blocks() if b.language in SHELLS]
RUNNABLE = [b for b in BLOCKS if b.language == "sh" and not b.marker.startswith("no-run")]


def _expected_exit(block: Block) -> int:
    if not block.marker:
        return 0
    match = re.fullmatch(r"exit=(\d+)", block.marker)
    assert match, f"{block.where}: unknown marker {block.marker!r} (sh, sh exit=N, sh no-run: …)"
    return int(match.group(1))


def _developer_env() -> dict[str, str]:
    drop = ("DJANGO_", "TRIALSITE_", "DATABASE_URL")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def _copy_checkout(target: Path) -> None:
    """The files git would check out (tracked and new, not ignored), with their times."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for installed in (".venv", "node_modules"):
        (target / installed).symlink_to((ROOT / installed).resolve())
    # The installation is shared with this checkout, where make already found it current:
    # its inputs are dated back so make does not reinstall into the shared directories.
    for inputs in ("requirements.txt", "requirements-dev.txt", "package.json", "package-lock.json"):
        os.utime(target / inputs, (0, 0))


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A scratch checkout as `make run` leaves it (without the server)."""
    target = tmp_path_factory.mktemp("checkout")
    _copy_checkout(target)
    run = {"cwd": target, "env": _developer_env(), "check": True, "capture_output": True}
    subprocess.run(["make", "--no-print-directory", ".env"], **run)
    python = str(target / ".venv" / "bin" / "python")
    protocols = sorted((target / "criteria" / "protocols").glob("*.json"))  # as make setup
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        *(["load_protocol", str(p.relative_to(target))] for p in protocols),
        ["demo_accounts"],
    ):
        subprocess.run([python, "manage.py", *command], **run)
    return target


def test_the_docs_have_runnable_commands():
    assert len(RUNNABLE) >= 5
    assert {b.where.split(":")[0] for b in RUNNABLE} >= {"README.md", "docs/operations.md"}


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.where)
def test_every_shell_block_is_sh_and_not_run_only_with_a_reason(block):
    assert block.language == "sh", f"{block.where}: write ```sh (with a marker if not runnable)"
    if block.marker.startswith("no-run"):
        assert re.fullmatch(r"no-run: \S.{4,}", block.marker), f"{block.where}: say why not"


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.where)
def test_documented_command_works_as_printed(checkout, block):
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block.script],
        cwd=checkout,
        env=_developer_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    expected = _expected_exit(block)
    assert result.returncode == expected, (
        f"{block.where} exited {result.returncode}, expected {expected}\n{block.script}\n"
        f"stdout:\n{result.stdout[-2000:]}\nstderr:\n{result.stderr[-2000:]}"
    )


def test_every_manage_py_command_the_docs_name_exists():
    named = set()
    for doc in DOCS:
        named |= set(re.findall(r"manage\.py ([a-z_]+)", doc.read_text(encoding="utf-8")))
    assert named, "the docs name no manage.py command"
    assert named <= set(get_commands()), named - set(get_commands())


def test_readme_stays_short():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) < 150
