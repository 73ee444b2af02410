import json

from django.core.management.base import BaseCommand

from criteria.evaluator import evaluate
from criteria.exceptions import CriteriaSetNotFound, ValueProblem
from criteria.management.commands._io import CriteriaVersionOption, fail, read_json
from criteria.selectors import criteria_set_lookup, criteria_set_rules
from criteria.values import parse_values
from trialsite.language import in_english


class Command(CriteriaVersionOption, BaseCommand):
    help = (
        "Evaluate one case against a trial's criteria and print the result as JSON. "
        'Input: {"values": {variable_key: value}}. Writes nothing.'
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="FILE|-", help="case file, or - for stdin")
        parser.add_argument("--trial", required=True, help="registry id, e.g. NCT01387295")

    # Its JSON is data: the reasons in English, numbers with a point, whatever the site's language.
    @in_english
    def handle(self, *args, source: str, trial: str, version: int | None, **options):
        criteria_set = self._criteria_set(trial, version)
        case = read_json(source)
        if not isinstance(case, dict) or not isinstance(case.get("values"), dict):
            raise fail('input must be a JSON object of the form {"values": {...}}')
        rule_set = criteria_set_rules(criteria_set)
        try:
            values = parse_values(rule_set, case["values"])
        except ValueProblem as problem:
            raise fail(str(problem)) from problem
        result = {"trial": trial, "criteria_set_version": criteria_set.version}
        result.update(evaluate(rule_set, values).to_dict())
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))

    def _criteria_set(self, trial: str, version: int | None):
        try:
            return criteria_set_lookup(trial, version)
        except CriteriaSetNotFound as error:
            raise fail(str(error)) from error
