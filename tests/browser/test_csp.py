"""Every page, as every role, in Chromium under the Content-Security-Policy: not one
violation. A page that needed an inline script or style would report one here (the
browser blocks it, so the page would silently lose a style or a behaviour)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from criteria.models import CriteriaSet, Variable
from tests.browser.conftest import sign_in
from tests.factories import TEST_PASSWORD, UserFactory
from tests.trialsite.test_permission_matrix import MATRIX
from trialsite import roles

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded by the page itself, before any of its own scripts run.
LISTEN = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber}`);
});
"""
# Each role's column among the statuses of the permission matrix.
ROLE_COLUMNS = {roles.STUDY_NURSE: 1, roles.INVESTIGATOR: 2, roles.CRITERIA_ADMIN: 3}
# The admin pages of each kind: index, every list, a change form with inlines, a history.
ADMIN_LISTS = [
    "admin:index",
    "admin:criteria_trial_changelist",
    "admin:criteria_variable_changelist",
    "admin:criteria_criteriaset_changelist",
    "admin:screening_candidate_changelist",
    "admin:screening_screening_changelist",
    "admin:screening_decision_changelist",
    "admin:screening_signature_changelist",
    "admin:screening_signatureattempt_changelist",
    "admin:trialsite_candidateaccess_changelist",
    "admin:auth_user_changelist",
]


@pytest.fixture
def watched(page):
    """The page, with CSP violations recorded from the event and from the console."""
    page.add_init_script(LISTEN)
    page.console_violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and page.console_violations.append(message.text)
        ),
    )
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.cspViolations") + page.console_violations


def _pages_of(role: str, world: dict) -> list[str]:
    """Every page the matrix lets `role` see (GET, 200); the exports are files, not pages."""
    urls = []
    for name, method, args, *statuses in MATRIX:
        if method == "get" and statuses[ROLE_COLUMNS[role]] == 200 and "export" not in name:
            urls.append(
                reverse(name, args=[world.get(a, a) if isinstance(a, str) else a for a in args])
            )
    return urls


def _visit(page, urls: list[str]) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("load")
        if violations(page):
            found[url] = violations(page)
        page.console_violations.clear()
    return found


@pytest.mark.parametrize("role", sorted(ROLE_COLUMNS))
def test_every_page_of_every_role_runs_without_a_policy_violation(watched, world, role):
    UserFactory(username="viewer", role=role)
    watched.goto("/login/")
    assert not violations(watched)
    sign_in(watched, "viewer")
    urls = _pages_of(role, world)
    assert len(urls) >= 10
    assert _visit(watched, urls) == {}


def test_every_kind_of_admin_page_runs_without_a_policy_violation(watched, world, screenshot_dir):
    get_user_model().objects.create_superuser("root", "root@example.org", TEST_PASSWORD)
    sign_in(watched, "root")
    variable = Variable.objects.get(key="inr")
    draft = CriteriaSet.objects.get(status="draft")
    urls = [reverse(name) for name in ADMIN_LISTS] + [
        reverse("admin:criteria_variable_change", args=[variable.pk]),
        reverse("admin:criteria_variable_history", args=[variable.pk]),
        reverse("admin:criteria_criteriaset_change", args=[draft.pk]),
        reverse("admin:auth_user_add"),
    ]
    assert _visit(watched, urls) == {}
    # The admin still works under the policy: its scripts add an inline criterion row.
    watched.goto(reverse("admin:criteria_criteriaset_change", args=[draft.pk]))
    rows = watched.locator(".inline-related:not(.empty-form)")
    before = rows.count()
    watched.get_by_text("Add another Criterion").click()
    assert rows.count() == before + 1
    watched.screenshot(path=str(screenshot_dir / "admin-criteriaset.png"))
    watched.goto(reverse("admin:criteria_variable_history", args=[variable.pk]))
    watched.screenshot(path=str(screenshot_dir / "admin-history.png"), full_page=True)
    assert violations(watched) == []


def test_an_inline_script_or_style_is_blocked_and_seen(watched, world):
    """The listener works: markup injected into a page neither runs nor styles it."""
    UserFactory(username="viewer", role=roles.STUDY_NURSE)
    sign_in(watched, "viewer")
    watched.goto(reverse("screening:candidate-list"))
    watched.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
        document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: red">x</p>');
    }"""
    )
    watched.wait_for_function("window.cspViolations.length >= 2")
    assert watched.evaluate("window.injected") is None
    color = watched.evaluate("getComputedStyle(document.getElementById('styled')).color")
    assert color != "rgb(255, 0, 0)"
    assert {v.split()[0] for v in violations(watched)} >= {"script-src-elem", "style-src-attr"}


@pytest.mark.parametrize("width", [1280, 768])
def test_the_summary_charts_fit_the_window_with_their_style_from_the_stylesheet(
    watched, world, screenshot_dir, width
):
    """The charts' shrinking moved from a style attribute to static/css (.bar-chart): at
    768 px the 760-unit-wide funnel still fits its card, and nothing was blocked."""
    watched.set_viewport_size({"width": width, "height": 900})
    UserFactory(username="viewer", role=roles.INVESTIGATOR)
    sign_in(watched, "viewer")
    watched.goto(reverse("log:summary"))
    chart = watched.locator('[data-testid="funnel-chart"]')
    card = watched.locator("#funnel-heading").locator("xpath=..")
    assert chart.bounding_box()["width"] <= card.bounding_box()["width"]
    assert chart.evaluate("svg => getComputedStyle(svg).maxWidth") == "100%"
    watched.screenshot(path=str(screenshot_dir / f"summary-{width}.png"), full_page=True)
    assert violations(watched) == []
