"""Dates and numbers per language (FORMAT_MODULE_PATH): `<language>/formats.py`.

How a typed date is read is one rule for both languages, since the same staff type in either:
dd-mm-yyyy, as Danish staff write a date, or ISO 8601. Never mm/dd/yyyy (Django's English
list has it), which would read 03/04 as the 4th of March.
"""

DATE_INPUT_FORMATS = ["%d-%m-%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d-%m-%Y %H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
