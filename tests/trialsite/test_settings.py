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
