"""Which criteria a decision failed, as the evaluator defines it: an inclusion not met, or an
exclusion that applies. One definition (`is_failed`) for the FailedCriterion rows written with
a decision and for verify_audit; the log reads a decision's failed entries by those rows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import NotSupportedError
from django.db.models import Func, TextField

from screening.models import Decision, FailedCriterion


def is_failed(result: dict) -> bool:
    return result["status"] == ("not_met" if result["kind"] == "inclusion" else "met")


def failed_results(results: list[dict]) -> list[dict]:
    """The entries of a decision's stored results that made the patient ineligible."""
    return [r for r in results if is_failed(r)]


def failed_positions(results: list[dict]) -> list[tuple[int, str]]:
    """(index in `results`, criterion code) of each failed entry, in rule order."""
    return [(i, r["code"]) for i, r in enumerate(results) if is_failed(r)]


def failed_criteria(decisions: Iterable[Decision]) -> list[FailedCriterion]:
    """The FailedCriterion rows of saved decisions, to be inserted with them."""
    return [
        FailedCriterion(decision=decision, position=position, code=code)
        for decision in decisions
        for position, code in failed_positions(decision.results)
    ]


class FailedEntries(Func):
    """What `failed_results` gives, as JSON text, computed in the database from the positions
    in the decision's FailedCriterion rows: only the failed entries are sent, a decision that
    failed nothing (every eligible one) is not read at all, and one that did is not searched.
    Arguments: the decision's `results` and its id."""

    arity = 2
    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"{type(self).__name__} has no SQL for {connection.vendor}")

    def _parts(self, compiler, connection) -> tuple[tuple, tuple, str]:
        results, pk = (compiler.compile(e) for e in self.get_source_expressions())
        return results, pk, connection.ops.quote_name(FailedCriterion._meta.db_table)

    # Only SQL that Django compiled and the model's quoted table name are pasted.
    def as_sqlite(self, compiler, connection, **extra_context):
        (results, results_params), (pk, pk_params), table = self._parts(compiler, connection)
        # json_each walks the array in order; CASE spares the JSON of a decision without rows.
        sql = (
            f"(CASE WHEN EXISTS (SELECT 1 FROM {table} f WHERE f.decision_id = {pk})"  # noqa: S608
            f" THEN (SELECT json_group_array(json(r.value)) FROM json_each({results}) AS r"
            f" WHERE r.key IN (SELECT f.position FROM {table} f WHERE f.decision_id = {pk}))"
            " ELSE '[]' END)"
        )
        return sql, [*pk_params, *results_params, *pk_params]

    def as_postgresql(self, compiler, connection, **extra_context):
        (results, results_params), (pk, pk_params), table = self._parts(compiler, connection)
        sql = (
            f"(SELECT COALESCE(jsonb_agg({results} -> f.position ORDER BY f.position),"  # noqa: S608
            f" '[]'::jsonb)::text FROM {table} f WHERE f.decision_id = {pk})"
        )
        return sql, [*results_params, *pk_params]
