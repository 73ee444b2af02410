"""The role groups. Empty: this step used to call the live `roles_sync`, which
changed with every later edit of the roles table; the groups are now synced after every
`migrate` by trialsite.apps (post_migrate). Kept so the migration graph is unchanged."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("criteria", "0001_initial"),
        ("screening", "0001_initial"),
    ]

    operations = []
