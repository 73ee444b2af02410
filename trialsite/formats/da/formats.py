"""Danish: dates as a Danish hospital writes them (05-12-2026), decimal comma (1,4).

Only what people read is formatted so: stored values, hashes, exports, URLs and `data-`
attributes stay ISO dates and decimal points (docs/translating.md). Typed dates are read by
criteria.form_fields (dd-mm-yyyy or ISO) and typed numbers by criteria.typed_numbers.
"""

from trialsite.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401 (read by Django)

DATE_FORMAT = "d-m-Y"
SHORT_DATE_FORMAT = "d-m-Y"
DATETIME_FORMAT = "d-m-Y H:i:s"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j. F"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
# Never shown (USE_THOUSAND_SEPARATOR is off): 1.400 would read as 1,4 to half the readers.
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
