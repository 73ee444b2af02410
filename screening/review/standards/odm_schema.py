"""The CDISC ODM 1.3.2 XML schema, and checking a document against it.

The schema files (ODM1-3-2.xsd, its foundation, and the W3C xml.xsd, xlink.xsd and
xmldsig-core-schema.xsd it imports) come from the `odmlib` package (MIT licence, by Sam Hume,
who co-authored the ODM standard), pinned in requirements.txt; they are read from where pip
installed it, not copied into this repository, and odmlib itself is never imported.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from lxml import etree

NAMESPACE = "http://www.cdisc.org/ns/odm/v1.3"


class OdmInvalid(ValueError):
    """The document breaks the schema; the message names the first problem and its line."""


def schema_path() -> Path:
    spec = importlib.util.find_spec("odmlib")
    if spec is None or not spec.submodule_search_locations:
        raise OdmInvalid("the odmlib package (which ships the ODM 1.3.2 schema) is not installed")
    return Path(spec.submodule_search_locations[0]) / "schemas/odm/1.3.2/ODM1-3-2.xsd"


@cache
def odm_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_path())))


def odm_validate(document: bytes) -> None:
    """Raise OdmInvalid unless `document` is valid ODM 1.3.2."""
    schema = odm_schema()
    tree = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    if not schema.validate(tree):
        error = schema.error_log[0]
        raise OdmInvalid(f"line {error.line}: {error.message}")
