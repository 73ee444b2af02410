"""The ODM document's Study (metadata from the trial's variables) and AdminData (users, the
site, and a SignatureDef per kind of sign-off).

One MetaDataVersion per criteria version. Entered variables become items in an item group per
form section; choices become code lists; a decision is a repeating item group of its own
(outcome, criteria version, failed criteria, screen-failure reason, entry hash).
"""

from __future__ import annotations

from lxml import etree

from screening.models import Decision, Signature
from screening.review.standards.odm_schema import NAMESPACE
from screening.review.standards.scope import Scope

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STUDY_EVENT, FORM, LOCATION = "SE.SCREENING", "F.SCREENING", "LOC.SITE"
DECISION_GROUP = "IG.DECISION"
UNRECORDED_USER = "USR.not-recorded"
OTHER = "other"  # the section of a stored value that no variable of the trial defines
DECISION_ITEMS = (
    ("IT.DECISION_OUTCOME", "Outcome", "text", "CL.OUTCOME"),
    ("IT.CRITERIA_VERSION", "Criteria set version", "integer", ""),
    ("IT.FAILED_CRITERIA", "Failed criteria (codes)", "text", ""),
    ("IT.SCREEN_FAILURE_REASON", "Screen failure reason", "text", ""),
    ("IT.DECISION_ENTRY_HASH", "Decision entry hash (SHA-256)", "text", ""),
)
LEGAL_REASON = (
    "Electronic signature under 21 CFR Part 11 (11.50, 11.70, 11.200): the signer re-entered "
    "their password and confirmed the statement shown, which is kept word for word with the "
    "signature; the signature carries the signed decision's entry hash."
)


def element(parent, tag: str, text: str | None = None, **attributes) -> etree._Element:
    node = etree.SubElement(
        parent, f"{{{NAMESPACE}}}{tag}", {k: str(v) for k, v in attributes.items()}
    )
    if text is not None:
        node.text = text
    return node


def translated(parent, tag: str, text: str) -> None:
    element(element(parent, tag), "TranslatedText", text, **{XML_LANG: "en"})


def metadata_oid(scope: Scope) -> str:
    return f"MDV.{scope.version}"


def item_oid(key: str) -> str:
    return f"IT.{key}"


def entered_variables(scope: Scope) -> list[dict]:
    """The variables a nurse enters (derived ones are computed, never stored as values)."""
    return [v for v in scope.protocol["variables"] if not v["derivation"]]


def study_element(root, scope: Scope, other: list[str]) -> None:
    """`other`: keys of stored values that are no variable of the trial (kept as text items)."""
    trial = scope.trial
    study = element(root, "Study", OID=f"ST.{trial.registry_id}")
    glob = element(study, "GlobalVariables")
    element(glob, "StudyName", trial.registry_id)
    element(glob, "StudyDescription", trial.title)
    element(glob, "ProtocolName", trial.sponsor_protocol_id or trial.registry_id)
    variables = entered_variables(scope) + [_other_variable(key) for key in other]
    units = sorted({v["unit"] for v in variables if v["unit"]})
    if units:
        basic = element(study, "BasicDefinitions")
        for n, unit in enumerate(units, start=1):
            translated(element(basic, "MeasurementUnit", OID=f"MU.{n}", Name=unit), "Symbol", unit)
    version = element(
        study, "MetaDataVersion", OID=metadata_oid(scope), Name=f"Criteria version {scope.version}"
    )
    _structure(version, variables)
    for variable in variables:
        _item_def(version, variable, units)
    for oid, name, data_type, _ in DECISION_ITEMS:
        element(version, "ItemDef", OID=oid, Name=name, DataType=data_type)
        if oid == "IT.DECISION_OUTCOME":
            element(version.getchildren()[-1], "CodeListRef", CodeListOID="CL.OUTCOME")
    for variable in variables:
        if variable["data_type"] == "choice":
            _code_list(version, f"CL.{variable['key']}", variable["key"], variable["choices"])
    _code_list(version, "CL.OUTCOME", "Decision outcome", [o.value for o in Decision.Outcome])


def _other_variable(key: str) -> dict:
    return {
        "key": key,
        "label": key,
        "section": OTHER,
        "data_type": "choice_free",
        "help_text": "A value stored with the screening that is no variable of the trial.",
        "unit": "",
        "never_allowed": False,
    }


def _structure(version, variables: list[dict]) -> None:
    protocol = element(version, "Protocol")
    element(protocol, "StudyEventRef", StudyEventOID=STUDY_EVENT, Mandatory="Yes")
    event = element(
        version,
        "StudyEventDef",
        OID=STUDY_EVENT,
        Name="Screening",
        Repeating="Yes",
        Type="Scheduled",
    )
    element(event, "FormRef", FormOID=FORM, Mandatory="Yes")
    sections = list(dict.fromkeys(v["section"] for v in variables))
    form = element(version, "FormDef", OID=FORM, Name="Screening", Repeating="No")
    for order, section in enumerate([*sections, None], start=1):
        oid = f"IG.{section}" if section else DECISION_GROUP
        element(form, "ItemGroupRef", ItemGroupOID=oid, Mandatory="No", OrderNumber=order)
    _item_groups(version, sections, variables)


def _item_groups(version, sections: list[str], variables: list[dict]) -> None:
    for section in sections:
        group = element(version, "ItemGroupDef", OID=f"IG.{section}", Name=section, Repeating="No")
        keys = [v["key"] for v in variables if v["section"] == section]
        for order, key in enumerate(keys, start=1):
            element(group, "ItemRef", ItemOID=item_oid(key), Mandatory="No", OrderNumber=order)
    group = element(version, "ItemGroupDef", OID=DECISION_GROUP, Name="Decision", Repeating="Yes")
    for order, (oid, *_) in enumerate(DECISION_ITEMS, start=1):
        # Failed criteria and a screen-failure reason are absent from an eligible decision.
        mandatory = "No" if oid in ("IT.FAILED_CRITERIA", "IT.SCREEN_FAILURE_REASON") else "Yes"
        element(group, "ItemRef", ItemOID=oid, Mandatory=mandatory, OrderNumber=order)


def _item_def(version, variable: dict, units: list[str]) -> None:
    data_type = {
        "number": "float",
        "integer": "integer",
        "boolean": "boolean",
        "choice": "text",
        "choice_free": "text",
        # A date question that can be answered "never" holds that word, so it is text there.
        "date": "text" if variable["never_allowed"] else "date",
    }[variable["data_type"]]
    item = element(
        version, "ItemDef", OID=item_oid(variable["key"]), Name=variable["key"], DataType=data_type
    )
    if variable["help_text"]:
        translated(item, "Description", variable["help_text"])
    translated(item, "Question", variable["label"])
    if variable["unit"]:
        element(
            item, "MeasurementUnitRef", MeasurementUnitOID=f"MU.{units.index(variable['unit']) + 1}"
        )
    if variable["data_type"] == "choice":
        element(item, "CodeListRef", CodeListOID=f"CL.{variable['key']}")


def _code_list(version, oid: str, name: str, values: list[str]) -> None:
    code_list = element(version, "CodeList", OID=oid, Name=name, DataType="text")
    for value in values:
        translated(element(code_list, "CodeListItem", CodedValue=value), "Decode", value)


def admin_element(root, scope: Scope, users: dict) -> None:
    """`users`: OID -> user, every user the clinical data refers to."""
    admin = element(root, "AdminData", StudyOID=f"ST.{scope.trial.registry_id}")
    for oid, user in users.items():
        person = element(admin, "User", OID=oid)
        if user is None:
            element(person, "DisplayName", "user not recorded")
            continue
        element(person, "LoginName", user.get_username())
        element(person, "DisplayName", user.get_full_name().strip() or user.get_username())
    location = element(admin, "Location", OID=LOCATION, Name="Screening site", LocationType="Site")
    effective = scope.criteria_set.published_at or scope.criteria_set.created_at
    element(
        location,
        "MetaDataVersionRef",
        StudyOID=f"ST.{scope.trial.registry_id}",
        MetaDataVersionOID=metadata_oid(scope),
        EffectiveDate=effective.date().isoformat(),
    )
    for meaning in Signature.Meaning:
        definition = element(
            admin, "SignatureDef", OID=signature_def_oid(meaning), Methodology="Electronic"
        )
        element(definition, "Meaning", meaning.label)
        element(definition, "LegalReason", LEGAL_REASON)


def signature_def_oid(meaning: str) -> str:
    return f"SD.{meaning.upper()}"


def user_oid(user) -> str:
    return f"USR.{user.get_username()}"
