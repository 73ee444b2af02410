"""Accounts from the command line: create with a role, change the role, deactivate, reset a
password. Bad input is a message on stderr, exit code 2, and nothing changed."""

import io
import json
import sys

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import ManagementUtility
from django.db import connections
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory
from trialsite import roles
from trialsite.management import account_input

pytestmark = pytest.mark.django_db

User = get_user_model()
GOOD = "Lang-og-sikker-adgangskode-42"


@pytest.fixture
def manage(capsys, monkeypatch):
    """Run `manage.py ARGS` in-process as a shell would: (exit code, stdout, stderr)."""

    def run(*args: str, stdin: str = "", tty: bool = False) -> tuple[int, str, str]:
        fake_stdin = io.StringIO(stdin)
        fake_stdin.isatty = lambda: tty
        monkeypatch.setattr(sys, "stdin", fake_stdin)
        # run_from_argv closes every connection when done, the test's own transaction with it
        # on PostgreSQL; the test still needs it.
        monkeypatch.setattr(connections, "close_all", lambda: None)
        try:
            ManagementUtility(["manage.py", *args]).execute()
            code = 0
        except SystemExit as exited:
            code = exited.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _logs_in(client, username: str, password: str) -> bool:
    response = client.post(reverse("login"), {"username": username, "password": password})
    client.logout()
    return response.status_code == 302


def _roles_of(username: str) -> list[str]:
    return list(User.objects.get(username=username).groups.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("role", "group", "staff"),
    [
        ("nurse", roles.STUDY_NURSE, False),
        ("investigator", roles.INVESTIGATOR, False),
        ("criteria-admin", roles.CRITERIA_ADMIN, False),
        ("it-staff", roles.IT_STAFF, True),
        ("Study nurse", roles.STUDY_NURSE, False),
    ],
)
def test_create_user_with_each_role(manage, client, role, group, staff):
    code, out, err = manage("create_user", "hanne", "--role", role, "--password-stdin", stdin=GOOD)
    assert (code, out) == (0, f"created hanne ({group})\n")
    [logged] = [json.loads(line) for line in err.splitlines()]
    assert (logged["message"], logged["role"]) == ("account created: hanne", group)
    assert GOOD not in err
    user = User.objects.get(username="hanne")
    assert (_roles_of("hanne"), user.is_staff, user.is_active) == ([group], staff, True)
    assert user.check_password(GOOD)
    assert _logs_in(client, "hanne", GOOD)


def test_create_user_asks_twice_at_a_terminal(manage, monkeypatch):
    answers = iter([GOOD, GOOD])
    monkeypatch.setattr(account_input.getpass, "getpass", lambda prompt: next(answers))
    code, _, _ = manage("create_user", "hanne", "--role", "nurse", tty=True)
    assert code == 0
    assert User.objects.get(username="hanne").check_password(GOOD)


@pytest.mark.parametrize(
    ("args", "stdin", "tty", "message"),
    [
        (["--role", "doctor", "--password-stdin"], GOOD, False, "Unknown role 'doctor'"),
        (
            ["--role", "nurse", "--first-name", "Hannelore", "--password-stdin"],
            "hannelore1",
            False,
            "too similar to the first name",
        ),
        (["--role", "nurse", "--password-stdin"], "short-1", False, "too short"),
        (["--role", "nurse", "--password-stdin"], "1234567890123", False, "entirely numeric"),
        (["--role", "nurse", "--password-stdin"], "", False, "The password is empty"),
        (["--role", "nurse"], "", False, "No terminal to ask for the password"),
    ],
)
def test_create_user_refuses_bad_input_with_exit_2(manage, args, stdin, tty, message):
    code, out, err = manage("create_user", "hanne", *args, stdin=stdin, tty=tty)
    assert code == 2
    assert message in err
    assert out == ""
    assert not User.objects.filter(username="hanne").exists()


def test_create_user_refuses_when_the_passwords_differ(manage, monkeypatch):
    answers = iter([GOOD, GOOD + "x"])
    monkeypatch.setattr(account_input.getpass, "getpass", lambda prompt: next(answers))
    code, _, err = manage("create_user", "hanne", "--role", "nurse", tty=True)
    assert (code, "The two passwords differ" in err) == (2, True)
    assert not User.objects.filter(username="hanne").exists()


def test_create_user_refuses_an_existing_name_and_keeps_the_account(manage, nurse):
    code, _, err = manage(
        "create_user", "nurse", "--role", "it-staff", "--password-stdin", stdin=GOOD
    )
    assert code == 2
    assert "An account named 'nurse' exists already." in err
    assert _roles_of("nurse") == [roles.STUDY_NURSE]
    assert User.objects.get(username="nurse").check_password(TEST_PASSWORD)


def test_create_user_refuses_an_invalid_name(manage):
    code, _, err = manage(
        "create_user", "han ne!", "--role", "nurse", "--password-stdin", stdin=GOOD
    )
    assert code == 2
    assert "Enter a valid username" in err
    assert not User.objects.exists()


def test_change_role_replaces_the_role_and_keeps_other_groups(manage, nurse):
    other = Group.objects.create(name="Ward 54")
    nurse.groups.add(other)
    code, out, _ = manage("change_role", "nurse", "--role", "it-staff")
    assert (code, out) == (0, f"nurse is now {roles.IT_STAFF}\n")
    assert sorted(_roles_of("nurse")) == sorted([roles.IT_STAFF, "Ward 54"])
    assert User.objects.get(username="nurse").is_staff
    manage("change_role", "nurse", "--role", "investigator")
    assert not User.objects.get(username="nurse").is_staff


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ghost", "--role", "nurse"], "There is no account named 'ghost'."),
        (["nurse", "--role", "superuser"], "Unknown role 'superuser'"),
    ],
)
def test_change_role_refuses_bad_input_with_exit_2(manage, nurse, args, message):
    code, _, err = manage("change_role", *args)
    assert (code, message in err) == (2, True)
    assert _roles_of("nurse") == [roles.STUDY_NURSE]


def test_deactivate_keeps_the_account_and_ends_its_sessions(manage, nurse, client):
    client.force_login(nurse)
    code, out, _ = manage("deactivate_user", "nurse")
    assert (code, out) == (0, "nurse deactivated\n")
    assert User.objects.filter(username="nurse", is_active=False).exists()
    assert client.get(reverse("home")).status_code == 302  # back to the login page
    assert not _logs_in(client, "nurse", TEST_PASSWORD)
    manage("deactivate_user", "nurse", "--undo")
    assert _logs_in(client, "nurse", TEST_PASSWORD)


def test_deactivate_an_unknown_account_is_exit_2(manage):
    code, _, err = manage("deactivate_user", "ghost")
    assert (code, "There is no account named 'ghost'." in err) == (2, True)


def test_reset_password(manage, nurse, client):
    code, out, _ = manage("reset_password", "nurse", "--password-stdin", stdin=GOOD + "\n")
    assert (code, out) == (0, "new password set for nurse\n")
    assert _logs_in(client, "nurse", GOOD)
    assert not _logs_in(client, "nurse", TEST_PASSWORD)


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("nurse", "password123", "too common"),
        ("nurse", "kort", "too short"),
        ("ghost", GOOD, "There is no account named 'ghost'."),
    ],
)
def test_reset_password_refuses_bad_input_with_exit_2(manage, nurse, name, password, message):
    code, _, err = manage("reset_password", name, "--password-stdin", stdin=password)
    assert (code, message in err) == (2, True)
    assert User.objects.get(username="nurse").check_password(TEST_PASSWORD)


def test_demo_accounts_name_the_criteria_admin_plainly(manage, settings):
    settings.DEBUG = True
    UserFactory(username="admin", role=roles.CRITERIA_ADMIN)
    code, out, _ = manage("demo_accounts")
    assert code == 0
    assert _roles_of("criteria-admin") == [roles.CRITERIA_ADMIN]
    assert "admin: the earlier name of criteria-admin; it still works" in out
    assert _roles_of("admin") == [roles.CRITERIA_ADMIN]
    assert not User.objects.filter(is_staff=True).exists()
