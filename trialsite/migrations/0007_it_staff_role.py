"""The IT staff group (trialsite/roles.py says what it may do).

Self-contained on purpose: it states its own permissions instead of calling the live
`roles_sync`, so a later change to the roles table cannot change what this step did.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

IT_STAFF = "IT staff"
PERMISSIONS = [
    ("auth", "view_user"),
    ("auth", "view_group"),
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accessfailurelog"),
    ("axes", "view_accesslog"),
]


def it_staff_create(apps, schema_editor):
    # Permissions are only created after the whole migrate run unless asked for here.
    for label in ("auth", "axes"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=IT_STAFF)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def it_staff_remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=IT_STAFF).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("trialsite", "0006_investigator_reads_access_log"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(it_staff_create, it_staff_remove)]
