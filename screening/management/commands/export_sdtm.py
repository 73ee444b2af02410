from django.core.management.base import BaseCommand

from screening.management.commands._standards import StandardsCommand


class Command(StandardsCommand, BaseCommand):
    help = (
        "Write a trial's CDISC SDTM TI (criteria of a version) or IE (criteria not met by the "
        "patients screened under it) as CSV or SAS transport v5."
    )

    def add_arguments(self, parser):
        self.add_scope_arguments(parser)
        parser.add_argument("--domain", choices=["TI", "IE"], required=True)
        parser.add_argument("--format", choices=["csv", "xpt"], default="csv")

    def handle(self, *args, **options):
        kind = f"{options['domain'].lower()}-{options['format']}"
        self.export(kind=kind, options=options, binary=options["format"] == "xpt")
