"""The roles as Django groups, and the permissions each one holds: the three of DESIGN.md,
and IT staff, who look after accounts and lock-outs in the Django admin.

The table is the single statement of who may do what. `roles_sync` runs after every
`migrate` (and `flush`), connected in trialsite/apps.py, so a new model's permissions reach the
groups in the same run that creates them, and a group edited by hand is put back to the table.
"""

from collections.abc import Iterable

STUDY_NURSE = "Study nurse"
INVESTIGATOR = "Investigator"
CRITERIA_ADMIN = "Criteria admin"
IT_STAFF = "IT staff"

# The role names the account commands accept (`create_user --role nurse`).
ROLE_NAMES = {
    "nurse": STUDY_NURSE,
    "investigator": INVESTIGATOR,
    "criteria-admin": CRITERIA_ADMIN,
    "it-staff": IT_STAFF,
}
# Only this role signs in to the Django admin (is_staff); no role there changes patient data.
STAFF_ROLES = {IT_STAFF}

_READ_CRITERIA = [
    "criteria.view_trial",
    "criteria.view_variable",
    "criteria.view_criteriaset",
    "criteria.view_criterion",
]
_READ_SCREENING = [
    "screening.view_candidate",
    "screening.view_screening",
    "screening.view_decision",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    STUDY_NURSE: [
        *_READ_CRITERIA,
        *_READ_SCREENING,
        "screening.add_candidate",
        "screening.change_candidate",
        "screening.add_screening",
        "screening.change_screening",
        "screening.add_decision",
    ],
    INVESTIGATOR: [
        *_READ_CRITERIA,
        *_READ_SCREENING,
        "screening.add_signature",
        "screening.view_signature",
        "screening.view_audit_trail",
        "screening.export_screening_log",
        # The principal investigator reviews who accessed identifiable data (21 CFR Part 11,
        # ICH E6): the access log page, /access-log/.
        "trialsite.view_candidateaccess",
    ],
    CRITERIA_ADMIN: [
        *_READ_CRITERIA,
        "screening.view_candidate",
        "screening.view_screening",
        "screening.view_decision",
        "criteria.add_criteriaset",
        "criteria.change_criteriaset",
        "criteria.publish_criteriaset",
        "criteria.add_criterion",
        "criteria.change_criterion",
    ],
    # Read-only in the Django admin, except that they may clear lock-outs (deleting an Axes
    # access attempt is how the admin resets one). No patient data, no access log: reviewing
    # who viewed which candidate is the investigator's task.
    IT_STAFF: [
        "auth.view_user",
        "auth.view_group",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
    ],
}


def roles_sync(*, using: str = "default", **kwargs) -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS.

    A `post_migrate` receiver for the trialsite app, the last of INSTALLED_APPS: by the time
    it runs, Django has created every app's permissions.
    """
    from django.contrib.auth.models import Group

    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(_permissions(perms, using))


def _permissions(names: Iterable[str], using: str):
    # After a partial `migrate` a later model's permissions may not exist yet: they are skipped
    # here and granted by the next full run. tests/trialsite/test_roles.py proves that after
    # all migrations every group holds exactly its table, so a typo cannot hide here.
    from django.contrib.auth.models import Permission

    found = []
    for name in names:
        app_label, codename = name.split(".")
        permission = (
            Permission.objects.using(using)
            .filter(content_type__app_label=app_label, codename=codename)
            .first()
        )
        if permission is not None:
            found.append(permission)
    return found
