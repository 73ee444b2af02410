"""Whole numbers past 32 and 64 bits (and negative) wherever a person, a file or an address
gives one: every integer form field, admin form, protocol file, URL and page number, and the
commands' criteria versions. Never a server error: a message next to the field, exit code 2,
or "not found"; nothing stored changes. Run on SQLite and on PostgreSQL, whose integer
columns differ (SQLite keeps 64 bits in any of them)."""

import io
import json

import pytest
from django import forms
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import get_resolver, reverse

from criteria.models import Criterion, Trial, Variable
from criteria.selectors import criteria_set_published, criteria_set_rules
from tests.cases import PROTOCOL_FILE
from tests.factories import UserFactory
from tests.test_fuzz import _valid_screening_post
from tests.trialsite.test_permission_matrix import MATRIX
from trialsite import roles

pytestmark = [pytest.mark.django_db]

PAST_32_BITS = ["2147483648", "-2147483649", "4294967296"]
PAST_64_BITS = ["9223372036854775808", "-9223372036854775809", "1" + "0" * 40]
PAST_THE_COLUMN = ["-1", *PAST_32_BITS, *PAST_64_BITS]
ORDER_REFUSED = "Enter a whole number from 0 to 2147483647."
TRIAL = "NCT01387295"
NEW_CRITERION = {
    "code": "X1",
    "kind": "inclusion",
    "label": "INR below 2",
    "protocol_wording": "INR < 2",
    "variable": "inr",
    "operator": "lt",
    "value": "2",
}


def _criterion_post(client, url: str, **changes) -> dict:
    """What the criterion form posts: the form as shown (an edit's current rule), changed."""
    form = client.get(url).context["form"]
    shown = {name: form[name].value() for name in form.fields}
    return {name: value for name, value in shown.items() if value is not None} | changes


@pytest.mark.parametrize("order", PAST_THE_COLUMN)
@pytest.mark.parametrize("page", ["criterion-add", "criterion-edit"])
def test_a_criterion_order_past_its_column_is_refused_next_to_the_field(
    root_client, world, page, order
):
    adding = page == "criterion-add"
    url = reverse(f"criteria:{page}", args=[TRIAL, 2] if adding else [TRIAL, 2, "I18"])
    before = sorted(Criterion.objects.values_list("pk", "code", "order", "label"))
    changes = (NEW_CRITERION if adding else {}) | {"order": order, "reason": "probe"}
    response = root_client.post(url, _criterion_post(root_client, url, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors == {"order": [ORDER_REFUSED]}
    assert ORDER_REFUSED in response.content.decode()
    assert sorted(Criterion.objects.values_list("pk", "code", "order", "label")) == before


@pytest.mark.parametrize("order", ["0", "2147483647"])
def test_a_criterion_order_at_the_ends_of_its_column_is_saved(root_client, world, order):
    url = reverse("criteria:criterion-edit", args=[TRIAL, 2, "I18"])
    response = root_client.post(url, _criterion_post(root_client, url, order=order, reason="r"))
    assert response.status_code == 302
    assert Criterion.objects.get(criteria_set__version=2, code="I18").order == int(order)


WINDOW = NEW_CRITERION | {
    "variable": "last_chemotherapy_date",
    "operator": "within_days_before",
    "other": "screening_date",
    "order": "1",
    "reason": "probe",
}


@pytest.mark.parametrize("days", ["36526", *PAST_THE_COLUMN])
def test_a_date_window_past_a_century_is_refused_next_to_the_field(root_client, world, days):
    """A window's days live in the rule (JSON), not a column: a century bounds them."""
    url = reverse("criteria:criterion-add", args=[TRIAL, 2])
    response = root_client.post(url, {**WINDOW, "value": days})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["value"]
    assert not Criterion.objects.filter(code="X1").exists()


def test_a_date_window_of_a_century_is_saved(root_client, world):
    url = reverse("criteria:criterion-add", args=[TRIAL, 2])
    assert root_client.post(url, {**WINDOW, "value": "36525"}).status_code == 302
    assert Criterion.objects.get(code="X1").expression["value"] == 36525


@pytest.mark.parametrize("order", [int(n) for n in PAST_THE_COLUMN])
@pytest.mark.parametrize("part", ["variable", "criterion"])
def test_a_protocol_order_past_its_column_is_refused_with_exit_code_2(db, tmp_path, part, order):
    data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
    entries = data["variables"] if part == "variable" else data["criteria_set"]["criteria"]
    entries[0]["order"] = order
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("load_protocol", str(path), stdout=io.StringIO())
    assert refused.value.returncode == 2
    message = str(refused.value)
    # A number of over 30 digits is refused as it is read, before its meaning is looked at.
    assert (
        "order" in message
        and "must be a whole number from 0 to 2147483647" in message
        or ("too long (41 digits)" in message)
    )
    assert not Trial.objects.exists()


@pytest.mark.parametrize(("days", "loaded"), [(36525, True), (36526, False), (2**31, False)])
def test_a_protocol_lookback_past_a_century_is_refused_with_exit_code_2(db, tmp_path, days, loaded):
    """A variable's look-back window (days before screening) is a column and date arithmetic:
    2**31 failed on PostgreSQL, a million days before year 1."""
    data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
    coded = next(v for v in data["variables"] if v.get("codes"))
    coded["lookback_days"] = days
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    if loaded:
        call_command("load_protocol", str(path), stdout=io.StringIO())
        assert Variable.objects.get(key=coded["key"]).lookback_days == days
        return
    with pytest.raises(CommandError) as refused:
        call_command("load_protocol", str(path), stdout=io.StringIO())
    assert refused.value.returncode == 2
    assert f"lookback_days {days} must be at most 36525 (100 years)" in str(refused.value)
    assert not Trial.objects.exists()


def test_every_whole_number_in_a_url_past_its_column_is_not_found(root_client, world):
    """Every URL of the permission matrix that takes a number (episode, criteria version)."""
    tried = set()
    for name, method, args, *_ in MATRIX:
        for at, arg in enumerate(args):
            if not isinstance(arg, int):
                continue
            for number in (n for n in PAST_32_BITS + PAST_64_BITS if not n.startswith("-")):
                asked = [world.get(a, a) if isinstance(a, str) else a for a in args]
                asked[at] = number
                response = getattr(root_client, method)(reverse(name, args=asked))
                assert response.status_code == 404, (name, number)
                tried.add(name)
    assert {"screening:screening-form", "criteria:set-detail"} <= tried


@pytest.mark.parametrize("number", PAST_THE_COLUMN)
def test_page_numbers_past_64_bits_are_not_found(root_client, world, number):
    """(The log's Next/Previous keys with such numbers: tests/screening/test_log_pages.py.)"""
    for name in ("log:list", "access-log", "screening:candidate-list"):
        response = root_client.get(reverse(name), {"page": number})
        assert response.status_code == 404, name


def test_whole_numbers_past_the_column_in_the_screening_form_are_refused(nurse_client, candidate):
    rule_set = criteria_set_rules(criteria_set_published(candidate.trial))
    url = reverse("screening:screening-form", args=[candidate.screening_number, 1])
    assert nurse_client.post(url, _valid_screening_post()).status_code == 302
    saved = candidate.screenings.get().values
    integers = [
        key
        for key, spec in rule_set.variables.items()
        if spec.data_type == "integer" and not spec.derivation
    ]
    assert integers
    for key in integers:
        for number in PAST_THE_COLUMN:
            response = nurse_client.post(url, {**_valid_screening_post(), key: number})
            assert response.status_code == 200
            assert key in response.context["form"].errors, (key, number)
            assert candidate.screenings.get().values == saved


def test_standards_criteria_version_past_its_column_is_refused_next_to_the_field(
    root_client, world
):
    for number in PAST_THE_COLUMN:
        query = {"trial": TRIAL, "version": number}
        page = root_client.get(reverse("standards:page"), query)
        assert page.status_code == 200
        assert list(page.context["form"].errors) == ["version"], number
        download = root_client.get(reverse("standards:download", args=["odm"]), query)
        assert download.status_code == 400
        assert list(download.context["form"].errors) == ["version"], number


@pytest.mark.parametrize(
    "command", [["export_sdtm", "--domain", "IE"], ["export_fhir"], ["export_odm"]]
)
def test_standards_commands_refuse_a_version_past_64_bits(world, tmp_path, command):
    UserFactory(username="pi", role=roles.INVESTIGATOR)
    for number in ("2147483648", "9223372036854775808", "1" + "0" * 40):
        with pytest.raises(CommandError) as refused:
            call_command(*command, TRIAL, "--version", number, stdout=io.StringIO())
        assert refused.value.returncode == 2
        assert "no criteria set version" in str(refused.value)


def test_admin_forms_refuse_an_order_past_its_column_next_to_the_field(root_client, world):
    variable = Variable.objects.get(key="inr")
    url = reverse("admin:criteria_variable_change", args=[variable.pk])
    form = root_client.get(url).context["adminform"].form
    shown = {n: form[n].field.prepare_value(form[n].value()) for n in form.fields}
    shown = {n: v for n, v in shown.items() if v is not None and v is not False}
    for number in PAST_THE_COLUMN:
        response = root_client.post(url, {**shown, "order": number})
        assert response.status_code == 200, number
        assert list(response.context["adminform"].form.errors) == ["order"], number
        assert Variable.objects.get(pk=variable.pk).order == variable.order
    # The same form with a number the column holds is saved.
    assert root_client.post(url, {**shown, "order": "2147483647"}).status_code == 302
    assert Variable.objects.get(pk=variable.pk).order == 2147483647


def _forms_of_the_apps(kind=forms.Form):
    for form in kind.__subclasses__():
        if form.__module__.split(".")[0] in ("criteria", "screening", "trialsite"):
            yield form
        yield from _forms_of_the_apps(form)


def test_every_whole_number_field_of_every_form_is_tested_here():
    """Whole-number fields of the forms (the screening form's are made per variable and
    tested above, as are the admin's and the protocol file's)."""
    assert get_resolver().url_patterns
    in_forms = {
        (form.__name__, name)
        for form in _forms_of_the_apps()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.IntegerField)
    }
    # A rule part's depth (PartForm) is tested past 64 bits in tests/criteria/test_group_editor.py.
    assert in_forms == {
        ("CriterionForm", "order"),
        ("PartForm", "depth"),
        ("StandardsScopeForm", "version"),
    }
