"""The investigator's access-log permission. Empty: this step used to call the live `roles_sync`, which
changed with every later edit of the roles table; the groups are now synced after every
`migrate` by trialsite.apps (post_migrate). Kept so the migration graph is unchanged."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("trialsite", "0005_protect_rules_snapshot"),
    ]

    operations = []
