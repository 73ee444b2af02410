"""ODM 1.3.2 for both trials, validated against the schema with lxml: metadata, each value
with its audit record, decisions and signatures."""

import pytest
from lxml import etree

from screening.models import Signature
from screening.review.standards.odm import odm_document
from screening.review.standards.odm_schema import OdmInvalid, odm_schema, odm_validate
from screening.review.standards.scope import scope_get
from screening.review.standards.sdtm import iso_utc

pytestmark = [pytest.mark.django_db]
NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}


def exported(registry: str):
    document, numbers = odm_document(scope_get(registry_id=registry, version=None))
    root = etree.fromstring(document)
    assert odm_schema().validate(root), odm_schema().error_log  # checked here too, by lxml
    return root, numbers


def test_nct01387295_is_valid_odm_with_every_subject(first_cohort):
    root, numbers = exported("NCT01387295")
    assert root.get("ODMVersion") == "1.3.2" and root.get("FileType") == "Transactional"
    assert numbers == [first_cohort[n] for n in "ABCDE"]
    keys = root.xpath("//odm:SubjectData/@SubjectKey", namespaces=NS)
    assert keys == numbers
    items = root.xpath("//odm:MetaDataVersion/odm:ItemDef/@OID", namespaces=NS)
    assert "IT.neutrophils" in items and "IT.age_years" not in items  # derived: never entered
    sex = root.xpath("//odm:CodeList[@OID='CL.sex']/odm:CodeListItem/@CodedValue", namespaces=NS)
    assert sex == ["female", "male"]
    unit = root.xpath("//odm:ItemDef[@OID='IT.neutrophils']/odm:MeasurementUnitRef", namespaces=NS)
    assert len(unit) == 1


def test_every_value_has_its_audit_record(first_cohort, nurse):
    root, _ = exported("NCT01387295")
    subject = root.xpath(f"//odm:SubjectData[@SubjectKey='{first_cohort['B']}']", namespaces=NS)[0]
    (neutrophils,) = subject.xpath(".//odm:ItemData[@ItemOID='IT.neutrophils']", namespaces=NS)
    assert (neutrophils.get("Value"), neutrophils.get("TransactionType")) == ("1.2", "Insert")
    audit = neutrophils.find("odm:AuditRecord", NS)
    assert audit.find("odm:UserRef", NS).get("UserOID") == "USR.nurse"
    assert audit.find("odm:LocationRef", NS).get("LocationOID") == "LOC.SITE"
    assert audit.findtext("odm:DateTimeStamp", namespaces=NS) == "2026-11-12T12:00:00Z"
    assert audit.findtext("odm:ReasonForChange", namespaces=NS) == "values saved"
    assert audit.findtext("odm:SourceID", namespaces=NS).startswith("TrialSite screening history ")
    consent = subject.xpath(".//odm:ItemData[@ItemOID='IT.informed_consent']", namespaces=NS)
    assert consent[0].get("Value") == "true"
    users = root.xpath("//odm:AdminData/odm:User/odm:LoginName/text()", namespaces=NS)
    assert "nurse" in users and "investigator" in users


def test_a_corrected_value_is_an_update_with_its_reason(second_cohort):
    root, numbers = exported("NCT09990001")
    assert numbers == [second_cohort[n] for n in "PQRS"]
    subject = root.xpath(f"//odm:SubjectData[@SubjectKey='{second_cohort['Q']}']", namespaces=NS)[0]
    ages = subject.xpath(".//odm:ItemData[@ItemOID='IT.age']", namespaces=NS)
    assert [(a.get("TransactionType"), a.get("Value")) for a in ages] == [
        ("Insert", "17"),
        ("Update", "75"),
    ]
    reason = ages[1].findtext("odm:AuditRecord/odm:ReasonForChange", namespaces=NS)
    assert reason == "age misread from the referral letter"
    never = subject.xpath(".//odm:ItemData[@ItemOID='IT.last_anthracycline_date']", namespaces=NS)
    assert never[0].get("Value") == "never"
    data_type = root.xpath(
        "//odm:ItemDef[@OID='IT.last_anthracycline_date']/@DataType", namespaces=NS
    )
    assert data_type == ["text"]  # a date that can be answered "never"
    # A value stored with the screening that is no variable of this trial is not dropped.
    assert subject.xpath(".//odm:ItemData[@ItemOID='IT.sex']/@Value", namespaces=NS) == ["female"]


def test_a_removed_value_is_a_remove_transaction(trial, nurse):
    from tests.cases import fill, register

    episode = register(trial, nurse).screenings.get()
    fill(episode, nurse)
    fill(episode, nurse, neutrophils=None)
    root, _ = exported("NCT01387295")
    items = root.xpath("//odm:ItemData[@ItemOID='IT.neutrophils']", namespaces=NS)
    assert [i.get("TransactionType") for i in items] == ["Insert", "Remove"]
    assert items[1].get("Value") is None


def test_decisions_and_signatures(first_cohort, investigator):
    root, _ = exported("NCT01387295")
    a = root.xpath(f"//odm:SubjectData[@SubjectKey='{first_cohort['A']}']", namespaces=NS)[0]
    (decision,) = a.xpath(".//odm:ItemGroupData[@ItemGroupOID='IG.DECISION']", namespaces=NS)
    values = {i.get("ItemOID"): i.get("Value") for i in decision.findall("odm:ItemData", NS)}
    assert values["IT.DECISION_OUTCOME"] == "eligible"
    assert values["IT.CRITERIA_VERSION"] == "1" and len(values["IT.DECISION_ENTRY_HASH"]) == 64
    assert "IT.FAILED_CRITERIA" not in values
    signature = decision.find("odm:Signature", NS)
    assert signature.find("odm:UserRef", NS).get("UserOID") == "USR.investigator"
    assert signature.find("odm:SignatureRef", NS).get("SignatureOID") == "SD.ELIGIBLE"
    signed = Signature.objects.get()
    assert signature.findtext("odm:DateTimeStamp", namespaces=NS) == iso_utc(signed.signed_at)
    assert signed.meaning in decision.findtext("odm:Annotation/odm:Comment", namespaces=NS)
    (definition,) = root.xpath("//odm:SignatureDef[@OID='SD.ELIGIBLE']", namespaces=NS)
    assert definition.get("Methodology") == "Electronic"
    assert definition.findtext("odm:Meaning", namespaces=NS) == "Eligibility confirmed"
    assert "21 CFR Part 11" in definition.findtext("odm:LegalReason", namespaces=NS)
    c = root.xpath(f"//odm:SubjectData[@SubjectKey='{first_cohort['C']}']", namespaces=NS)[0]
    failed = c.xpath(".//odm:ItemData[@ItemOID='IT.FAILED_CRITERIA']/@Value", namespaces=NS)
    assert failed == ["I13 E07"]
    assert not c.xpath(".//odm:Signature", namespaces=NS)  # not signed


def test_the_schema_refuses_a_broken_document(first_cohort):
    document, _ = odm_document(scope_get(registry_id="NCT01387295", version=None))
    broken = document.replace(b'ODMVersion="1.3.2"', b'ODMVersion="9.9"')
    with pytest.raises(OdmInvalid, match="ODMVersion"):
        odm_validate(broken)
    misplaced = document.replace(b"<UserRef ", b"<UserReference ", 1)
    with pytest.raises(OdmInvalid, match="UserReference"):
        odm_validate(misplaced)


def test_values_loaded_without_a_history_row_still_leave_marked_so(trial, nurse):
    from tests.screening.log_data import clone_decisions, screen_patient

    clone_decisions([screen_patient(trial, nurse)], 1)  # bulk-written, as demo data is
    root, numbers = exported("NCT01387295")
    subject = root.xpath(f"//odm:SubjectData[@SubjectKey='{numbers[1]}']", namespaces=NS)[0]
    (neutrophils,) = subject.xpath(".//odm:ItemData[@ItemOID='IT.neutrophils']", namespaces=NS)
    assert neutrophils.get("Value") == "3.2"
    reason = neutrophils.findtext("odm:AuditRecord/odm:ReasonForChange", namespaces=NS)
    assert reason == "values as stored; no history record"
