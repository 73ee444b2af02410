from django.core.management.base import BaseCommand

from screening.management.commands._standards import StandardsCommand


class Command(StandardsCommand, BaseCommand):
    help = (
        "Write a trial's screening data as CDISC ODM 1.3.2 XML: metadata, every entered value "
        "with its audit record, each decision and each sign-off (validated against the schema)."
    )

    def add_arguments(self, parser):
        self.add_scope_arguments(parser)

    def handle(self, *args, **options):
        self.export(kind="odm", options=options)
