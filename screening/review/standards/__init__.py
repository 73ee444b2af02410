"""Standards out (DESIGN.md, "Interfaces besides the browser"): a trial's criteria and its
screening outcomes in the shapes sponsors, monitors and registries read.

- `sdtm`: CDISC SDTM TI (the criteria) and IE (the criteria each subject did not meet), as CSV
  and as SAS transport v5 (XPT);
- `fhir`: an HL7 FHIR R4 Bundle of the ResearchStudy, its Group of eligibility
  characteristics and a ResearchSubject per candidate;
- `odm`: CDISC ODM 1.3.2 XML with the study's metadata, every entered value with its audit
  record, each decision and each sign-off as a Signature.

`scope` chooses what an export holds (a trial, a criteria version, a date range) and
`rule_text` writes a criterion as one expression for TIRL and for FHIR. Every file is checked
against its standard before it leaves: FHIR by the model library, ODM by the schema.
"""
