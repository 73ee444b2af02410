"""Every page, as every role that opens it: no sideways scroll at 1280, 768 and 390 px, and
no WCAG 2.1 A/AA violation that axe-core finds.

One set of data, one live server and one logged-in browser context per role serve the whole
module (made once: the pages only read). Screenshots of every page at every width are kept in
ARTIFACTS_DIR (or test-artifacts/accessibility/), with axe's findings as JSON beside them.
"""

import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from tests.browser.site_pages import LANGUAGES, PAGE_VISITS, TRIAL, site_make, visit_id
from tests.cases import PROTOCOL_FILE
from tests.factories import TEST_PASSWORD
from trialsite.roles import roles_sync

# Each test runs in a transaction that is rolled back (what the pages write, such as the access
# log); the module's data is made outside it, once, by `site`.
pytestmark = pytest.mark.django_db

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (1280, 768, 390)
# axe runs with the menu expanded (wide) and collapsed behind its toggler (narrow).
AXE_WIDTHS = (1280, 390)
# Playwright's default window, set again before each test since the tests resize it.
DEFAULT_VIEWPORT = {"width": 1280, "height": 720}
# resultTypes: only the violations get their nodes' selectors worked out (the rest are not read).
AXE_RUN = """async tags => {
  const found = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return found.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + " | " + n.failureSummary),
  }));
}"""
NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => done()))"
# The innermost elements that reach past the window's right edge: what makes a page too wide.
STICKING_OUT = """() => {
  const out = e => e.getBoundingClientRect().right > window.innerWidth + 1;
  return [...document.querySelectorAll("body *")]
    .filter(e => out(e) && ![...e.children].some(out))
    .slice(0, 5)
    .map(e => `${e.tagName.toLowerCase()} ${e.className}: ${e.textContent.trim().slice(0, 40)}`);
}"""


@pytest.fixture(scope="module")
def artifacts() -> Path:
    default = Path(settings.BASE_DIR) / "test-artifacts"
    target = Path(os.environ.get("ARTIFACTS_DIR", default)) / "accessibility"
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The module's data and its own live server (pytest-django's would flush the database
    after every test); the database is emptied at the end, as a transactional test does."""
    from criteria.services import protocol_load

    with django_db_blocker.unblock():
        data = json.loads(PROTOCOL_FILE.read_text(encoding="utf-8"))
        trial = protocol_load(data=data, source=PROTOCOL_FILE.name).trial
        placeholders = site_make(trial)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server, placeholders
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            roles_sync()


@pytest.fixture(scope="module")
def browse(chromium_browser, site, django_db_blocker):
    """open(role, lang, path) → that role's tab, showing path. Every role logs in once, here,
    so that its session outlives the tests' rolled-back transactions. Each role and language
    keeps one tab, which every test navigates to its page (a new tab cost a renderer process
    and compiling axe anew; a new document's focus and scroll are new all the same)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make static-deps` (npm ci)")
    server, placeholders = site
    with django_db_blocker.unblock():
        tabs = {
            (role, lang): _tab(chromium_browser, server.url, role, lang)
            for role in {role for role, _ in PAGE_VISITS}
            for lang in LANGUAGES
        }

    def open_page(role: str, lang: str, path: str):
        page = tabs[role, lang]
        url = path.format(**placeholders)
        if page.url == server.url + url:
            page.goto("about:blank")  # a load, never a reload that keeps the scroll and form
        page.set_viewport_size(DEFAULT_VIEWPORT)
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status} to {role}"
        assert page.url == server.url + url, f"{url} sent {role} to {page.url}"
        return page

    yield open_page
    for page in tabs.values():
        page.context.close()


def _tab(browser, base_url: str, role: str, lang: str):
    # bypass_csp: the site's policy knows nothing of axe, an injected script that also fetches
    # the page's stylesheets itself.
    context = browser.new_context(
        base_url=base_url,
        locale=lang,
        extra_http_headers={"Accept-Language": lang},
        bypass_csp=True,
        viewport=DEFAULT_VIEWPORT,
    )
    # axe in every document the tab opens, before the page's own scripts: compiled once a
    # tab, where injecting it after each load compiled it again each time.
    context.add_init_script(path=AXE)
    # The site asks no browser for its language (trialsite.language): the switch's cookie.
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": base_url}])
    page = context.new_page()
    if role != "anonymous":
        page.goto("/login/")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/")
    return page


# One page load serves both checks at every width: the window is resized, never reloaded.
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("visit", PAGE_VISITS, ids=visit_id)
def test_no_page_scrolls_sideways_and_axe_finds_no_wcag_21_aa_violation(
    visit, lang, browse, artifacts
):
    role, spec = visit
    page = browse(role, lang, spec.path)
    assert page.get_attribute("html", "lang") == lang
    too_wide, found = {}, {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(NEXT_FRAME)  # the page's resize handlers have run
        shot = artifacts / f"{spec.name}-{role}-{lang}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            too_wide[width] = [f"{scroll} px, {shot.name}", *page.evaluate(STICKING_OUT)]
        violations = page.evaluate(AXE_RUN, AXE_TAGS) if width in AXE_WIDTHS else []
        if violations:
            found[width] = violations
    report = artifacts / f"axe-{spec.name}-{role}-{lang}.json"
    report.write_text(json.dumps(found, indent=1, ensure_ascii=False), encoding="utf-8")
    assert too_wide == {}
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


# Pages whose every control a keyboard user reaches, as the role that uses them most.
KEYBOARD_PAGES = [
    ("anonymous", "/login/"),
    ("nurse", "/candidates/{E}/episodes/1/"),
    ("investigator", "/log/"),
    ("criteria-admin", f"/criteria/{TRIAL}/v2/I18/edit/"),
]
FOCUSED = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  return {
    what: `${e.tagName.toLowerCase()} ${e.name || e.textContent.trim().slice(0, 30)}`,
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    body: e === document.body,
    inner: !e.matches(":focus"),
  };
}"""


@pytest.mark.parametrize("role, path", KEYBOARD_PAGES)
def test_every_control_reached_by_tab_shows_a_focus_ring(role, path, browse):
    page = browse(role, LANGUAGES[0], path)
    page.set_viewport_size({"width": 1280, "height": 900})
    seen, without_ring = [], []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["body"] or (seen and focused["what"] == seen[0]):
            break  # round the page once
        seen.append(focused["what"])
        # A date field's calendar button is a part of the field that its own styles (not
        # the field's) outline: the field itself is checked at its first stop.
        if not focused["ring"] and not focused["inner"]:
            without_ring.append(focused["what"])
    assert len(seen) >= 2  # the login page starts in its username field
    assert without_ring == []


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(browse):
    page = browse("nurse", LANGUAGES[0], "/")
    skip = page.locator("[data-testid=skip-link]")
    assert skip.bounding_box()["width"] <= 1  # visually hidden until focused
    page.keyboard.press("Tab")
    assert skip.evaluate("e => e === document.activeElement")
    assert skip.is_visible() and skip.inner_text() == "Skip to main content"
    assert skip.bounding_box()["width"] > 50
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is in the content, past the menu
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize("width", [768, 390])
def test_the_menu_opens_from_its_toggler_with_log_out_on_screen(width, browse, artifacts):
    page = browse("investigator", LANGUAGES[0], "/")
    page.set_viewport_size({"width": width, "height": 900})
    log_out = page.locator("[data-testid=log-out]")
    assert not log_out.is_visible()
    page.click(".navbar-toggler")
    log_out.wait_for(state="visible")
    page.wait_for_selector("#nav.show:not(.collapsing)")
    box = log_out.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"menu-open-investigator-{width}.png"))


def test_the_log_names_each_failed_criterion_beside_its_code(browse):
    page = browse("investigator", LANGUAGES[0], "/log/")
    failed = page.locator("[data-testid=failed-criterion]")
    texts = failed.all_inner_texts()
    assert any(text.startswith("I13") and "eutrophil" in text for text in texts), texts
    assert failed.locator("[title]").count() == 0
