"""The demo FHIR server (fhir-server/server.mjs: Medplum's FhirRouter from npm), started once a
session on a free port by the fixtures here; conftests import them where tests need it."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"FHIR server listening on (\S+)")
KAREN_CPR = "0203651234"  # synthetic: fhir-server/data/karen-hansen.json
TWINS_CPR = "0101801111"  # two Patients carry it
FAULTY_CPR = "1502701234"  # a result without value, one in /nL, one outside the window
SCREENING_DATE = "2026-11-20"


def _start(*extra: str) -> tuple[subprocess.Popen, str]:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules/@medplum/fhir-router").exists():
        pytest.fail("node and `npm ci` (make static-deps) are needed for the FHIR server")
    process = subprocess.Popen(
        [node, str(ROOT / "fhir-server/server.mjs"), "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = process.stdout.readline()  # blocks until the server listens, or exits
    match = LISTENING.search(line)
    if match is None:
        process.kill()
        pytest.fail(f"the FHIR server did not start: {line}{process.stdout.read()}")
    return process, match.group(1)


@pytest.fixture(scope="session")
def fhir_server():
    """The base URL of a running demo FHIR server with the synthetic patients."""
    process, base_url = _start()
    yield base_url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def fhir_server_with_token():
    """The same server, answering 401 unless the bearer token is "s3cret"."""
    process, base_url = _start("--token", "s3cret")
    yield base_url
    process.terminate()
    process.wait(timeout=10)
