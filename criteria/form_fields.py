"""Form fields for typed numbers and dates, shared by the screening form, the registration and
the criteria editor: text inputs read by the one rule of criteria.typed_numbers.

Numbers are text inputs with `inputmode="decimal"`, not the browser's number type, which
drops a decimal comma it does not expect (1,4 reached the server as 14) and sends ""
for text it cannot read, so the server never sees what was typed. Dates are text inputs for a
like reason: a `type="date"` field orders its day and month by the browser's own language, so
10031970 typed on a ward PC with an American-English Chromium was stored as 3 October.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from criteria.values import decimal_from_text, integer_from_text, number_text
from trialsite.filter_forms import DateField  # noqa: F401  (the one typed-date field)


class TypedNumberWidget(forms.TextInput):
    """A text input that shows the numeric keyboard on tablets and keeps what was typed."""

    def __init__(self, attrs: dict | None = None, *, inputmode: str = "decimal") -> None:
        super().__init__({"inputmode": inputmode, "autocomplete": "off", **(attrs or {})})


class DecimalTextField(forms.Field):
    """A decimal number: `1,4` or `1.4`; what could be read two ways is refused next to the
    field with how to write it. Cleans to a Decimal, or None when left empty."""

    widget = TypedNumberWidget

    def to_python(self, value) -> Decimal | None:
        if isinstance(value, Decimal):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        try:
            return decimal_from_text(str(value))
        except ValueError as error:
            raise forms.ValidationError(_sentence(error), code="number") from None

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return number_text(value)
        return value


class IntegerTextField(DecimalTextField):
    """A whole number, digits only. Cleans to an int, or None when left empty."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", TypedNumberWidget(inputmode="numeric"))
        super().__init__(*args, **kwargs)

    def to_python(self, value) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        try:
            return integer_from_text(str(value))
        except ValueError as error:
            raise forms.ValidationError(_sentence(error), code="integer") from None


def _sentence(error: ValueError) -> str:
    text = str(error)
    return text[0].upper() + text[1:] + "." if text else text
