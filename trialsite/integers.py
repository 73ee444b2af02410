"""Whole numbers that people or files give, kept inside the column that stores them.

A number past its column must be refused where it is typed, with a message next to the
field, never left to the database: SQLite keeps 64 bits in any integer column, PostgreSQL
16, 32 or 64 bits by type, so the same number can be saved on one and fail with a server
error on the other. The bounds here are Django's portable ranges, the ones PostgreSQL
enforces, so every database refuses the same numbers.
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy


def integer_range(internal_type: str) -> tuple[int, int]:
    """The smallest and largest value an integer model field of `internal_type` (such as
    "PositiveIntegerField") holds on every database."""
    return BaseDatabaseOperations.integer_field_ranges[internal_type]


def integer_form_field(field: models.Field, **kwargs) -> forms.IntegerField:
    """A form field for `field` that refuses, next to itself, any number its column cannot
    hold (and anything that is not a whole number)."""
    low, high = integer_range(field.get_internal_type())
    message = format_lazy(
        gettext_lazy("Enter a whole number from {low} to {high}."), low=low, high=high
    )
    errors = {"invalid": message, "min_value": message, "max_value": message}
    return forms.IntegerField(min_value=low, max_value=high, error_messages=errors, **kwargs)


def integer_problem(value: object, internal_type: str, name: str) -> str | None:
    """What is wrong with `value` (read from a file) as the value of an integer model field
    of `internal_type`, or None."""
    low, high = integer_range(internal_type)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return f"{name} {_shown(value)} must be a whole number from {low} to {high}"
    return None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}…({len(text)} characters)"
