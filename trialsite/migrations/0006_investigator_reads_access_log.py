"""Give the investigator the access log's view permission (`trialsite.view_candidateaccess`),
so an existing database's Investigator group gains it on `migrate` like every other grant."""

from django.db import migrations

from trialsite.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [
        ("trialsite", "0005_protect_rules_snapshot"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
