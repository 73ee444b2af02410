"""A criterion's expression as the rows of a form, and back: what the criteria editor shows.

An expression is one comparison or an all-of / any-of group whose parts are comparisons or
groups (criteria.protocol). The editor shows a group as a flat list of rows in reading order,
each with its depth: a comparison row (`mode` "") holds the text of its fields, a group row
(`mode` "all" or "any") is followed by its parts one level deeper. The outermost group is no
row: its mode is the form's own, and its parts stand at depth 1.

    {"any": [A, {"all": [B, C]}]}  ->  "any", [A@1, all@1, B@2, C@2]

Pure (no ORM, no request): dicts and text in, dicts and text out. The editor reads typed
text back with `comparison_from_text`, so a rule it shows and saves unchanged is stored
unchanged; `unrepresentable` says when that cannot hold, so the editor refuses instead of
rewriting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from criteria.protocol import DATE_OPERATORS, GROUP_MODES, NUMBER_OPERATORS, VariableSpec
from criteria.typed_numbers import decimal_from_text, number_text

Row = dict[str, Any]
Node = tuple[int, list]  # (row index, the nodes of its parts); a comparison has no parts
Variables = Mapping[str, VariableSpec]
TEXT_FIELDS = ("variable", "operator", "value", "other")
# Deeper than any protocol needs ("A or (B and (C or D))" is depth 3); a bound for what a
# form may post, not a rule of the file: a deeper rule is shown as refused, never cut.
MAX_DEPTH = 8


def group_mode(expression: object) -> str:
    """ "all" or "any" for a group, "" for a comparison (or anything else)."""
    if isinstance(expression, Mapping) and len(expression) == 1:
        mode = next(iter(expression))
        return mode if mode in GROUP_MODES else ""
    return ""


def blank_comparison(depth: int) -> Row:
    return {"depth": depth, "mode": "", **dict.fromkeys(TEXT_FIELDS, "")}


def comparison_text(condition: Mapping, variables: Variables) -> dict[str, str]:
    """A comparison's fields as the editor shows them: a number as it is typed (1,5 in
    Danish), choices separated by commas, nothing for yes/no."""
    value = condition.get("value")
    spec = variables.get(condition.get("variable", ""))
    if isinstance(value, list):
        shown = ", ".join(str(item) for item in value)
    elif value is None:
        shown = ""
    elif _is_number(spec, condition.get("operator")) and isinstance(value, (str, int)):
        shown = _number_shown(value)
    else:
        shown = str(value)
    return {
        "variable": str(condition.get("variable", "")),
        "operator": str(condition.get("operator", "")),
        "value": shown,
        "other": str(condition.get("other", "")),
    }


def comparison_from_text(fields: Mapping[str, Any], variables: Variables) -> tuple[dict, str]:
    """The JSON form of a comparison typed in the editor, and why its threshold cannot be
    read ("" when it can). A number is read by the rule of the screening form (1,5 is 1.5)."""
    operator = fields.get("operator") or ""
    raw = str(fields.get("value") or "").strip()
    condition: dict[str, Any] = {
        "variable": fields.get("variable"),
        "operator": operator,
        "value": _typed_value(operator, raw),
    }
    if fields.get("other"):
        condition["other"] = fields["other"]
    if _is_number(variables.get(condition["variable"] or ""), operator) and raw:
        try:
            condition["value"] = str(decimal_from_text(raw))
        except ValueError as error:
            return condition, f"Threshold {error}"
    return condition, ""


def rows_from_expression(expression: Mapping, variables: Variables) -> tuple[str, list[Row]]:
    """(the outer group's mode, its parts as rows); ("", []) for a single comparison."""
    mode = group_mode(expression)
    if not mode:
        return "", []
    return mode, list(_rows(expression[mode], 1, variables))


def _rows(parts: list, depth: int, variables: Variables):
    for part in parts:
        mode = group_mode(part)
        if mode:
            yield {**blank_comparison(depth), "mode": mode}
            yield from _rows(part[mode], depth + 1, variables)
        else:
            yield {"depth": depth, "mode": "", **comparison_text(part, variables)}


def rows_problem(rows: list[Row]) -> str:
    """Why rows do not describe a tree ("" when they do): each row stands at depth 1, or one
    level below a group row above it, at most MAX_DEPTH deep."""
    previous_depth, previous_is_group = 0, True
    for row in rows:
        depth = row.get("depth")
        deeper = isinstance(depth, int) and depth == previous_depth + 1
        if not isinstance(depth, int) or depth < 1 or depth > MAX_DEPTH:
            return _("a part stands at depth %(depth)r; parts nest 1 to %(most)d deep") % {
                "depth": depth,
                "most": MAX_DEPTH,
            }
        if depth > previous_depth and not (deeper and previous_is_group):
            return _("a part stands deeper than the group above it")
        previous_depth, previous_is_group = depth, row.get("mode") in GROUP_MODES
    return ""


def row_tree(rows: list[Row]) -> list[Node]:
    """The parts of the outer group as nodes (row index, parts); rows must pass rows_problem."""
    nodes, _ = _nodes(rows, 0, 1)
    return nodes


def _nodes(rows: list[Row], start: int, depth: int) -> tuple[list[Node], int]:
    nodes, index = [], start
    while index < len(rows) and rows[index]["depth"] == depth:
        if rows[index]["mode"]:
            parts, after = _nodes(rows, index + 1, depth + 1)
            nodes.append((index, parts))
            index = after
        else:
            nodes.append((index, []))
            index += 1
    return nodes, index


def expression_from_rows(
    mode: str, rows: list[Row], comparison: Callable[[int, Row], dict]
) -> dict:
    """The group {mode: [...]} the rows describe; `comparison(index, row)` reads each
    comparison row (the editor's reading, which records problems next to the row)."""

    def part(node: Node) -> dict:
        index, parts = node
        row = rows[index]
        if row["mode"]:
            return {row["mode"]: [part(p) for p in parts]}
        return comparison(index, row)

    return {mode: [part(node) for node in row_tree(rows)]}


def part_add(rows: list[Row], group: int | None, mode: str = "") -> tuple[list[Row], int]:
    """Rows with a new last part in the outer group (`group` None) or in the group row
    `group`: an empty comparison, or (`mode` "all"/"any") a group of two empty comparisons.
    Returns the rows and the new part's index."""
    depth = 1 if group is None else rows[group]["depth"] + 1
    at = len(rows) if group is None else _subtree_end(rows, group)
    if mode:
        new = [{**blank_comparison(depth), "mode": mode}, *[blank_comparison(depth + 1)] * 2]
    else:
        new = [blank_comparison(depth)]
    return [*rows[:at], *(dict(r) for r in new), *rows[at:]], at


def part_remove(rows: list[Row], index: int) -> list[Row]:
    """Rows without the part at `index` (a group goes with its parts)."""
    return rows[:index] + rows[_subtree_end(rows, index) :]


def parent_of(rows: list[Row], index: int) -> int | None:
    """The group row holding the part at `index`, or None for the outer group."""
    depth = rows[index]["depth"]
    for above in range(index - 1, -1, -1):
        if rows[above]["depth"] < depth:
            return above
    return None


def _subtree_end(rows: list[Row], index: int) -> int:
    end = index + 1
    while end < len(rows) and rows[end]["depth"] > rows[index]["depth"]:
        end += 1
    return end


def unrepresentable(expression: object, variables: Variables, operators: Mapping[str, str]) -> str:
    """Why the editor cannot show `expression` so that saving it unchanged stores it
    unchanged ("" when it can): a variable or operator it does not offer, a rule nested too
    deep, or a value its text fields cannot give back exactly."""
    if not isinstance(expression, Mapping):
        return _("it is not a comparison or a group")
    mode, rows = rows_from_expression(expression, variables)
    texts = [r for r in rows if not r["mode"]] if mode else [comparison_text(expression, {})]
    for text in texts:
        if text["variable"] not in variables:
            return _('it reads "%s", which is no variable of this trial') % text["variable"]
        if text["operator"] not in operators:
            return _('its operator "%s" is not one the editor offers') % text["operator"]
    problem = rows_problem(rows)
    if problem:
        return problem
    if mode:
        again = expression_from_rows(mode, rows, lambda _, r: comparison_from_text(r, variables)[0])
    else:
        again = comparison_from_text(comparison_text(expression, variables), variables)[0]
    if again != expression:
        return _("the editor would store it differently (a value its fields cannot show exactly)")
    return ""


def applies_if_unrepresentable(conditions: list, variables: Variables, rows: int) -> str:
    """Why `rows` applies-if rows (variable, operator, value) cannot show `conditions` so
    that saving them unchanged stores them unchanged ("" when they can)."""
    if len(conditions) > rows:
        return _("it has %(count)d applies-if conditions and this page shows %(rows)d") % {
            "count": len(conditions),
            "rows": rows,
        }
    for condition in conditions:
        shown = comparison_text(condition, {})
        shown.pop("other")
        if comparison_from_text(shown, variables)[0] != condition:
            return _("an applies-if condition has no fields here to show it (%s)") % condition
    return ""


def _typed_value(operator: str, raw: str) -> object:
    if operator in ("is_true", "is_false"):
        return None
    if operator in ("in", "not_in"):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if operator in DATE_OPERATORS:
        return int(raw) if raw.isdigit() else raw
    return raw


def _is_number(spec: VariableSpec | None, operator: object) -> bool:
    numeric = spec is not None and spec.data_type in ("number", "integer")
    return numeric and operator in NUMBER_OPERATORS


def _number_shown(value: str | int) -> str:
    try:
        return number_text(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
