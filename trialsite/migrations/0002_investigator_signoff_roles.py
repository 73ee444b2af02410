"""The sign-off models' permissions for the roles. Empty: this step used to call the live `roles_sync`, which
changed with every later edit of the roles table; the groups are now synced after every
`migrate` by trialsite.apps (post_migrate). Kept so the migration graph is unchanged."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("trialsite", "0001_roles"),
        ("screening", "0002_signatures"),
    ]

    operations = []
