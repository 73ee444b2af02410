from django.core.management.base import BaseCommand

from criteria.exceptions import ProtocolError
from criteria.management.commands._io import fail, read_json
from criteria.services import protocol_load


class Command(BaseCommand):
    help = "Load a trial's protocol file (variables and criteria set). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the protocol JSON file")

    def handle(self, *args, file: str, **options):
        data = read_json(file)
        if not isinstance(data, dict):
            raise fail(f"{file}: a protocol file is a JSON object")
        try:
            result = protocol_load(data=data, source=file)
        except ProtocolError as error:
            raise fail(f"{file}: " + "; ".join(error.problems)) from error
        version = result.criteria_set.version
        state = "loaded as new published version" if result.created_set else "already loaded:"
        self.stdout.write(
            f"{result.trial.registry_id}: criteria {state} v{version}; variables "
            f"{result.variables_added} added, {result.variables_changed} changed"
        )
        for note in result.notes:
            self.stdout.write(f"check: {note}")
