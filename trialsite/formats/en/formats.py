"""English: dates in ISO 8601 (2026-12-05), which neither a British nor an American reader
takes for another day, and a decimal point (1.4). Typed dates are read as in Danish
(dd-mm-yyyy or ISO, never mm/dd/yyyy), since the same staff type them in either language.
"""

from trialsite.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401 (read by Django)

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i:s"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
