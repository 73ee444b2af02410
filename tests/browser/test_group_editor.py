"""A criteria admin edits an any-of criterion with the keyboard only: adds a part, switches the
group to all-of, saves the draft with Enter, and reads the change in words on the Changes
page. The editor with a nested group has no WCAG 2.1 A/AA violation that axe-core finds."""

import json

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import AXE, AXE_RUN, AXE_TAGS
from tests.criteria.group_editing import group_draft_create
from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)

EDIT = "/criteria/NCT09990001/v2/inc-renal/edit/"
FOCUSED_NAME = "() => document.activeElement.name"


def _press_button(page, text: str) -> None:
    """Reach a button by focus, as Tab would, and press it with Enter."""
    page.get_by_role("button", name=text, exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _choose(page, name: str, typed: str) -> None:
    """Choose in a focused list box by typing the start of an option, as a keyboard user does."""
    page.focus(f"select[name='{name}']")
    page.keyboard.type(typed)


@pytest.fixture
def admin_page(page):
    admin = UserFactory(username="criteria-admin", role=roles.CRITERIA_ADMIN)
    group_draft_create(admin)
    sign_in(page, "criteria-admin")
    page.wait_for_url("**/")
    return page


def test_admin_adds_a_part_and_switches_any_of_to_all_of_by_keyboard(admin_page, screenshot_dir):
    page = admin_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(EDIT)
    assert page.input_value("select[name=mode]") == "any"
    assert page.input_value("select[name='part-1-variable']") == "crcl"
    assert page.input_value("input[name='part-1-value']") == "50"

    _press_button(page, "Add a comparison")
    # The page comes back with the new part's first field focused, the keyboard already there.
    assert page.evaluate(FOCUSED_NAME) == "part-2-variable"
    page.keyboard.type("Age")
    page.keyboard.press("Tab")
    page.keyboard.type("less")
    page.keyboard.press("Tab")
    page.keyboard.type("80")
    _choose(page, "mode", "all")
    assert page.input_value("select[name=mode]") == "all"
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"group-editor-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.focus("input[name=reason]")
    page.keyboard.type("Amendment 4: renal function and age")
    page.keyboard.press("Enter")  # saves: Enter never presses a rule button
    page.wait_for_selector("text=Criterion inc-renal saved in the draft")
    rule = page.inner_text("[data-testid=rule-inc-renal]")
    assert rule == (
        "(Creatinine as a multiple of ULN ≤ 1 × ULN and Creatinine clearance > 50 mL/min "
        "and Age < 80 years)"
    )

    page.get_by_role("link", name="Changes").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=diff-inc-renal]")
    changes = page.inner_text("[data-testid=diff-inc-renal] [data-testid=rule-changes]")
    assert changes.splitlines() == ["any of → all of", "part 3 added: Age < 80 years"]
    rule_row = page.inner_text("[data-testid=diff-inc-renal] tr[data-field=Rule]")
    assert "any of: Creatinine as a multiple of ULN ≤ 1 × ULN or" in rule_row
    assert "all of: Creatinine as a multiple of ULN ≤ 1 × ULN and" in rule_row
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"group-diff-{width}.png"), full_page=True)


def test_a_bad_part_is_refused_beside_it_and_a_nested_group_passes_axe(
    chromium_browser, live_server, screenshot_dir
):
    # bypass_csp: axe is injected as an inline script, which the site's policy forbids.
    context = chromium_browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    admin = UserFactory(username="criteria-admin", role=roles.CRITERIA_ADMIN)
    group_draft_create(admin)
    sign_in(page, "criteria-admin", live_server.url)
    page.wait_for_url("**/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(EDIT)
    _press_button(page, "Add a group of comparisons")
    assert page.evaluate(FOCUSED_NAME) == "part-2-mode"
    page.fill("input[name='part-1-value']", "500")
    page.fill("input[name=reason]", "Amendment 4")
    page.get_by_role("button", name="Save criterion").click()
    message = page.locator("#div_id_part-1-value .invalid-feedback")
    assert "outside the plausible range 0–250" in message.inner_text()
    assert page.locator("[data-part='3.1']").is_visible()  # the new group is still shown
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"group-refused-{width}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(AXE_RUN, AXE_TAGS)
    context.close()
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)
