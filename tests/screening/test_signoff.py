"""Investigator sign-off: the right password signs, a wrong one does not (and is logged), nurses
cannot sign, the signature binds the decision's hash, and a later decision supersedes it."""

import datetime as dt
import json
import logging

import pytest
from django.db import connection
from django.urls import reverse

from criteria.services import protocol_load
from screening import services
from screening.exceptions import AppendOnlyViolation, SignOffRefused, WrongPassword
from screening.hashing import chain_hash
from screening.models import Signature, SignatureAttempt
from screening.review import selectors
from screening.review.log_query import LogFilters
from screening.signoff import signature_payload, signature_sign
from tests.cases import PROTOCOL_FILE, assert_append_only, lvef_amended, verify_audit_run
from tests.factories import TEST_PASSWORD, UserFactory
from tests.screening.log_data import screen_patient
from trialsite import roles

pytestmark = [pytest.mark.django_db]

ELIGIBLE_MEANING = (
    "I confirm that this patient meets all eligibility criteria of NCT01387295, criteria version 1."
)


@pytest.fixture
def decision(trial, nurse):
    return screen_patient(trial, nurse)


def _sign_url(decision) -> str:
    return reverse("log:signoff", args=[decision.public_id])


def _post(client, decision, password=TEST_PASSWORD, confirm=True):
    data = {"password": password, **({"confirm": "on"} if confirm else {})}
    return client.post(_sign_url(decision), data)


def test_page_shows_the_decision_and_the_meaning_to_confirm(investigator_client, decision):
    content = investigator_client.get(_sign_url(decision)).content.decode()
    assert ELIGIBLE_MEANING in content
    assert decision.entry_hash in content
    assert 'name="password"' in content and 'name="confirm"' in content


def test_right_password_signs(investigator_client, investigator, decision):
    response = _post(investigator_client, decision)

    number = decision.screening.candidate.screening_number
    assert response.status_code == 302
    assert response["Location"] == reverse("log:audit-trail", args=[number])
    signature = Signature.objects.get()
    assert signature.decision == decision
    assert signature.signer == investigator
    assert signature.signer_full_name == investigator.get_full_name()
    assert signature.meaning == ELIGIBLE_MEANING
    assert signature.meaning_kind == Signature.Meaning.ELIGIBLE
    assert signature.signed_at.utcoffset() == dt.timedelta(0)
    attempt = SignatureAttempt.objects.get()
    assert attempt.succeeded and attempt.user == investigator and attempt.decision == decision


def test_wrong_password_signs_nothing_and_is_logged(
    investigator_client, investigator, decision, caplog
):
    with caplog.at_level(logging.WARNING, logger="trialsite.security"):
        response = _post(investigator_client, decision, password="not-my-password")

    assert response.status_code == 200
    assert "The password is not correct. Nothing was signed." in response.content.decode()
    assert not Signature.objects.exists()
    attempt = SignatureAttempt.objects.get()
    assert not attempt.succeeded and attempt.ip_address == "127.0.0.1"
    assert "wrong password" in caplog.text and "user=investigator" in caplog.text


def test_the_meaning_must_be_confirmed(investigator_client, decision):
    response = _post(investigator_client, decision, confirm=False)
    assert response.status_code == 200
    assert "Tick the statement" in response.content.decode()
    assert not Signature.objects.exists()


def test_nurse_cannot_sign(nurse_client, nurse, decision):
    assert nurse_client.get(_sign_url(decision)).status_code == 403
    assert _post(nurse_client, decision).status_code == 403
    with pytest.raises(SignOffRefused, match="Only an investigator"):
        signature_sign(decision=decision, signer=nurse, password=TEST_PASSWORD)
    assert not Signature.objects.exists()


def test_an_account_without_a_full_name_cannot_sign(decision):
    nameless = UserFactory(username="dr", first_name="", last_name="", role=roles.INVESTIGATOR)
    with pytest.raises(SignOffRefused, match="no full name"):
        signature_sign(decision=decision, signer=nameless, password=TEST_PASSWORD)


def test_a_decision_is_signed_once(investigator, decision):
    signature_sign(decision=decision, signer=investigator, password=TEST_PASSWORD)
    other = UserFactory(username="investigator2", role=roles.INVESTIGATOR)
    with pytest.raises(SignOffRefused, match="already signed off"):
        signature_sign(decision=decision, signer=other, password=TEST_PASSWORD)
    assert Signature.objects.count() == 1


def test_screen_failure_is_signed_with_a_screen_failure_meaning(trial, nurse, investigator):
    failed = screen_patient(trial, nurse, fails=("I13", "E07"))
    signature = signature_sign(decision=failed, signer=investigator, password=TEST_PASSWORD)
    assert signature.meaning_kind == Signature.Meaning.SCREEN_FAILURE
    assert signature.meaning == (
        "I confirm that this patient failed screening for NCT01387295 under criteria version 1 "
        "(failed criteria I13, E07) and is not eligible."
    )


def test_incomplete_closure_is_signed_with_its_reason(trial, nurse, investigator):
    closed = screen_patient(trial, nurse, incomplete_reason="patient declined")
    signature = signature_sign(decision=closed, signer=investigator, password=TEST_PASSWORD)
    assert "screening closed incomplete; reason: patient declined" in signature.meaning


def test_signature_binds_the_decision_hash(investigator, decision):
    signature = signature_sign(decision=decision, signer=investigator, password=TEST_PASSWORD)
    assert signature.decision_hash == decision.entry_hash
    assert signature.entry_hash == chain_hash(signature_payload(signature), "0" * 64)
    code, output = verify_audit_run()
    intact = ["audit chain intact: 1 decisions", "signature chain intact: 1 signatures"]
    assert (code, output.splitlines()[:2]) == (0, intact)


def test_signatures_are_append_only(investigator, decision):
    signature = signature_sign(decision=decision, signer=investigator, password=TEST_PASSWORD)
    assert_append_only(signature, meaning="something else")
    assert Signature.objects.get().meaning != "something else"
    with pytest.raises(AppendOnlyViolation):
        SignatureAttempt.objects.all().delete()


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As an attacker with superuser rights: switch the append-only triggers off
            # (rolled back with the test's transaction). verify_audit must still notice.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE screening_signature DISABLE TRIGGER USER")
        cursor.execute(sql, params)


def test_verify_audit_names_a_signature_altered_with_raw_sql(investigator, decision):
    signature_sign(decision=decision, signer=investigator, password=TEST_PASSWORD)
    _raw("UPDATE screening_signature SET meaning = %s", ["I confirm nothing."])
    code, output = verify_audit_run()
    assert code == 1
    assert "signature chain BROKEN at signature 1" in output and "altered" in output


def test_verify_audit_notices_a_signature_moved_to_another_decision(
    trial, nurse, investigator, decision
):
    signature_sign(decision=decision, signer=investigator, password=TEST_PASSWORD)
    other = screen_patient(trial, nurse, fails=("I13",))
    _raw("UPDATE screening_signature SET decision_id = %s", [other.pk])
    code, output = verify_audit_run()
    assert code == 1 and "signature 1" in output


def _publish_lvef_55() -> None:
    """Amendment: LVEF must be at least 55 % (version 2, published; version 1 retired)."""
    data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
    data["criteria_set"]["version"] = 2
    for criterion in data["criteria_set"]["criteria"]:
        if criterion["code"] == "I18":
            criterion.update(lvef_amended(criterion, "55"))
    protocol_load(data=data, source="amendment 1")


def test_a_later_decision_marks_the_signature_superseded(
    trial, nurse, investigator, investigator_client
):
    first = screen_patient(trial, nurse, lvef_percent="52")
    episode = first.screening
    signature_sign(decision=first, signer=investigator, password=TEST_PASSWORD)
    _publish_lvef_55()
    newer = services.decision_reevaluate(screening=episode, recorded_by=nurse)

    assert (first.outcome, newer.outcome) == ("eligible", "ineligible")
    row = selectors.screening_log_rows(selectors.screening_log(LogFilters()))[0]
    assert row.decision == newer and row.signature is None
    assert [s.decision_id for s in row.superseded] == [first.pk]
    log = investigator_client.get(reverse("log:list")).content.decode()
    assert "1 earlier sign-off superseded" in log
    trail = investigator_client.get(
        reverse("log:audit-trail", args=[episode.candidate.screening_number])
    )
    signature_entry = next(e for e in trail.context["entries"] if e.kind == "signature")
    assert signature_entry.superseded
    with pytest.raises(SignOffRefused, match="newer decision"):
        signature_sign(decision=first, signer=investigator, password=TEST_PASSWORD)
    signature_sign(decision=newer, signer=investigator, password=TEST_PASSWORD)
    assert verify_audit_run()[0] == 0


def test_wrong_password_raises_wrong_password(investigator, decision):
    with pytest.raises(WrongPassword):
        signature_sign(decision=decision, signer=investigator, password="")
    assert SignatureAttempt.objects.filter(succeeded=False).count() == 1


def test_wrong_sign_off_passwords_count_like_failed_logins(
    client, investigator, decision, settings
):
    """After LOGIN_FAILURE_LIMIT wrong sign-off passwords the account is locked out: the
    sign-off form refuses and logs out, and the login page refuses the right password too."""
    settings.AXES_FAILURE_LIMIT = 3
    client.force_login(investigator)
    for _ in range(2):
        assert _post(client, decision, password="not-my-password").status_code == 200
    assert _post(client, decision, password="not-my-password").status_code == 429
    locked = _post(client, decision)  # even the right password is refused now
    assert locked.status_code == 429
    assert not Signature.objects.exists()
    assert "_auth_user_id" not in client.session
    login = client.post(
        reverse("login"), {"username": investigator.username, "password": TEST_PASSWORD}
    )
    assert login.status_code == 429


def test_the_page_and_the_signed_view_show_the_audit_chain_head(
    investigator_client, trial, nurse, decision
):
    newest = screen_patient(trial, nurse)
    page = investigator_client.get(_sign_url(decision))
    chain = page.content.decode().split('data-testid="chain-head">')[1].split("</dd>")[0]
    assert f"decision {newest.sequence}, hash" in chain and newest.entry_hash[:16] in chain
    assert "signature 0, hash" in chain and "0" * 16 in chain

    signed = _post(investigator_client, decision)
    signature = Signature.objects.get()
    told = f"signature 1, hash {signature.entry_hash[:16]}…"
    trail = investigator_client.get(signed["Location"]).content.decode()
    assert f"It is the head of the signature chain: {told}" in trail
    assert f"Signature 1 of the signature chain, hash {signature.entry_hash[:16]}…" in trail
