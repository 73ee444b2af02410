"""The roles after `migrate`: the groups, each with exactly the table's permissions."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db


def _perm_names(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_migration_creates_the_three_role_groups():
    names = set(Group.objects.values_list("name", flat=True))
    assert {roles.STUDY_NURSE, roles.INVESTIGATOR, roles.CRITERIA_ADMIN} <= names


@pytest.mark.parametrize("role", list(roles.ROLE_PERMISSIONS))
def test_each_group_holds_exactly_its_permissions(role):
    assert _perm_names(Group.objects.get(name=role)) == set(roles.ROLE_PERMISSIONS[role])


def _user(role):
    return UserFactory(role=role)


def test_only_criteria_admin_may_change_criteria():
    assert not _user(roles.STUDY_NURSE).has_perm("criteria.change_criterion")
    assert not _user(roles.INVESTIGATOR).has_perm("criteria.change_criterion")
    assert _user(roles.CRITERIA_ADMIN).has_perm("criteria.change_criterion")


def test_nobody_may_change_or_delete_a_decision():
    for role in roles.ROLE_PERMISSIONS:
        user = _user(role)
        assert not user.has_perm("screening.change_decision")
        assert not user.has_perm("screening.delete_decision")


def test_nurses_record_decisions_investigators_do_not():
    assert _user(roles.STUDY_NURSE).has_perm("screening.add_decision")
    assert not _user(roles.INVESTIGATOR).has_perm("screening.add_decision")


def test_only_investigators_read_the_access_log_and_nobody_changes_it():
    for role in roles.ROLE_PERMISSIONS:
        user = _user(role)
        assert user.has_perm("trialsite.view_candidateaccess") is (role == roles.INVESTIGATOR)
        for action in ("add", "change", "delete"):
            assert not user.has_perm(f"trialsite.{action}_candidateaccess")


def test_migrate_puts_a_group_edited_by_hand_back_to_the_table():
    nurses = Group.objects.get(name=roles.STUDY_NURSE)
    nurses.permissions.remove(*nurses.permissions.filter(codename="add_decision"))
    nurses.permissions.add(*Permission.objects.filter(codename="delete_decision"))
    call_command("migrate", verbosity=0)
    assert _perm_names(nurses) == set(roles.ROLE_PERMISSIONS[roles.STUDY_NURSE])


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/admin/", 200),
        ("/admin/auth/user/", 200),
        ("/admin/axes/accessattempt/", 200),
        ("/admin/auth/user/add/", 403),
        ("/admin/screening/candidate/", 403),
        ("/admin/screening/decision/", 403),
        ("/admin/trialsite/candidateaccess/", 403),
        ("/candidates/", 403),
    ],
)
def test_it_staff_read_accounts_and_lockouts_in_the_admin_and_no_patient_data(client, url, status):
    it = UserFactory(username="it", role=roles.IT_STAFF, is_staff=True)
    client.force_login(it)
    assert client.get(url).status_code == status


def test_it_staff_clear_a_lockout_in_the_admin(client):
    attempt = AccessAttempt.objects.create(
        username="nurse", ip_address="10.0.0.1", failures_since_start=5, get_data="", post_data=""
    )
    it = UserFactory(username="it", role=roles.IT_STAFF, is_staff=True)
    client.force_login(it)
    response = client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
