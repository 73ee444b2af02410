from django.core.management.base import BaseCommand

from screening.management.commands._standards import StandardsCommand


class Command(StandardsCommand, BaseCommand):
    help = (
        "Write a trial's FHIR R4 Bundle: the ResearchStudy, its Group of eligibility "
        "characteristics (one criteria version) and a ResearchSubject per candidate."
    )

    def add_arguments(self, parser):
        self.add_scope_arguments(parser)

    def handle(self, *args, **options):
        self.export(kind="fhir", options=options)
