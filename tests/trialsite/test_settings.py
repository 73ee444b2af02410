"""Settings come from the environment; unsafe combinations refuse to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


LOAD_SETTINGS = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE']='trialsite.settings';"
    "from django.conf import settings; print(settings.DEBUG)"
)


def test_debug_is_off_without_the_variable():
    result = _run_python(LOAD_SETTINGS, DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_debug_on_when_asked():
    result = _run_python(LOAD_SETTINGS, DJANGO_DEBUG="1")
    assert result.stdout.strip() == "True"


def test_missing_secret_key_with_debug_off_fails_clearly():
    result = _run_python(LOAD_SETTINGS)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


@pytest.mark.parametrize("value", ["0", "false", "no"])
def test_debug_stays_off_for_falsy_values(value):
    result = _run_python(LOAD_SETTINGS, DJANGO_DEBUG=value, DJANGO_SECRET_KEY="x" * 50)
    assert result.stdout.strip() == "False"


def test_check_deploy_is_clean_with_production_values():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SECRET_KEY": "k3y-" + "Zq9!xR2#vT7@pL5$" * 4,
            "DJANGO_ALLOWED_HOSTS": "trialsite.example.org",
            "DJANGO_SECURE_SSL_REDIRECT": "1",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _write_env(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_development_env_file_is_read(tmp_path):
    env_file = _write_env(tmp_path / ".env", "DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=" + "d" * 50)
    code = LOAD_SETTINGS + "; print(settings.SECRET_KEY)"
    result = _run_python(code, TRIALSITE_ENV_FILE=env_file)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "d" * 50]


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = _write_env(tmp_path / ".env", "DJANGO_DEBUG=1\nDJANGO_SECRET_KEY=" + "d" * 50)
    result = _run_python(
        LOAD_SETTINGS, TRIALSITE_ENV_FILE=env_file, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50
    )
    assert result.stdout.strip() == "False"


def test_without_an_env_file_production_still_needs_a_secret(tmp_path):
    result = _run_python(LOAD_SETTINGS, TRIALSITE_ENV_FILE=str(tmp_path / "absent.env"))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_make_writes_the_env_file_once(tmp_path):
    """`make run` writes .env through this target; a second run keeps the same secret key."""
    makefile = ROOT / "Makefile"
    run = ["make", "--no-print-directory", "-f", str(makefile), "-C", str(tmp_path), ".env"]
    subprocess.run(run, check=True, capture_output=True)
    first = (tmp_path / ".env").read_text()
    subprocess.run(run, check=True, capture_output=True)
    assert (tmp_path / ".env").read_text() == first
    assert "DJANGO_DEBUG=1" in first.splitlines()
    key = next(line for line in first.splitlines() if line.startswith("DJANGO_SECRET_KEY="))
    assert len(key.removeprefix("DJANGO_SECRET_KEY=")) >= 50
    assert (tmp_path / ".env").stat().st_mode & 0o077 == 0


def test_env_file_is_git_ignored():
    result = subprocess.run(
        ["git", "check-ignore", ".env"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, "the development .env must never be committed"
