"""The app's PostgreSQL role (deploy/postgres-roles.sql) owns nothing: it cannot switch an
audit trigger off, TRUNCATE or change an audit table, and the app still works in full."""

import json
import os
import re
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from criteria.services import protocol_load
from screening.models import Decision
from screening.signoff import signature_sign
from tests.cases import (
    PROTOCOL_FILE,
    eligible_values,
    fill,
    post_values,
    protected_tables,
    record_via_pages,
    register,
    verify_audit_run,
)
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

GRANTS = Path(__file__).resolve().parents[2] / "deploy" / "postgres-roles.sql"
# Roles belong to the whole PostgreSQL server, not to one test database: one name per
# pytest-xdist worker, so parallel tests never wait on each other's uncommitted role.
APP_ROLE = f"trialsite_app_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def _as_psql_would(sql: str, app_role: str) -> str:
    """The script with psql's variables filled in and its meta-commands left out."""
    sql = "\n".join(line for line in sql.splitlines() if not line.startswith("\\"))
    sql = sql.replace(':"app_role"', connection.ops.quote_name(app_role))
    return sql.replace(":'app_role'", f"'{app_role}'")


@pytest.fixture
def app_role(db):
    """Within the test's transaction: the role, its grants, and the connection acting as it.
    All of it is rolled back with the test, the role included."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
        cursor.execute(_as_psql_would(GRANTS.read_text(encoding="utf-8"), APP_ROLE))
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
    return APP_ROLE


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    return str(raised.value)


def test_the_connection_acts_as_the_app_role(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (app_role,)


@pytest.mark.parametrize(
    "sql",
    [
        "ALTER TABLE screening_decision DISABLE TRIGGER screening_decision_append_only",
        "ALTER TABLE screening_decision DISABLE TRIGGER ALL",
        "DROP TRIGGER screening_decision_append_only ON screening_decision",
    ],
)
def test_the_app_role_cannot_switch_a_trigger_off(app_role, sql):
    assert re.search("must be owner of (table|relation) screening_decision", _refused(sql))


@pytest.mark.parametrize("table", ["screening_decision", "trialsite_candidateaccess"])
@pytest.mark.parametrize("statement", ["TRUNCATE {}", "DELETE FROM {}", "UPDATE {} SET id = id"])
def test_the_app_role_cannot_empty_or_change_an_audit_table(app_role, table, statement):
    assert f"permission denied for table {table}" in _refused(statement.format(table))


def test_every_audit_table_is_closed_to_update_and_delete(app_role):
    tables = protected_tables(connection)
    assert len(tables) >= 10  # decisions, signatures, access log, every history table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.table_privileges "
            "WHERE grantee = %s AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')",
            [app_role],
        )
        writable = {row[0] for row in cursor.fetchall()}
    assert writable and not (writable & tables)


def test_the_app_role_cannot_create_a_table(app_role):
    assert re.search("permission denied for schema public", _refused("CREATE TABLE x (i int)"))


def test_the_app_works_in_full_under_the_app_role(app_role, client, nurse, investigator):
    """Load the protocol (as production does, under the app role), register, screen and record
    in the browser's way, sign off, and verify the audit."""
    data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
    trial = protocol_load(data=data, source=PROTOCOL_FILE.name).trial
    client.force_login(nurse)
    response = client.post(
        reverse("screening:candidate-register"),
        {
            "initials": "AR",
            "date_of_birth": "1965-03-02",
            "sex": "female",
            "referring_unit": "Herlev",
            "referral_date": "2026-11-01",
        },
    )
    assert response.status_code == 302
    candidate = trial.candidates.get()
    form_url = reverse("screening:screening-form", args=[candidate.screening_number, 1])
    assert client.post(form_url, post_values(eligible_values())).status_code == 302
    assert record_via_pages(client, candidate.screenings.get()).status_code == 200
    decision = Decision.objects.get()
    assert decision.outcome == "eligible"
    signature_sign(decision=decision, signer=investigator, password=TEST_PASSWORD)
    second = register(trial, nurse, initials="CD")
    fill(second.screenings.get(), nurse)
    assert verify_audit_run()[0] == 0
