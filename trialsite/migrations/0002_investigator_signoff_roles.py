"""Give the roles the permissions of the sign-off models (Signature, the audit trail, exports)."""

from django.db import migrations

from trialsite.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [
        ("trialsite", "0001_roles"),
        ("screening", "0002_signatures"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
