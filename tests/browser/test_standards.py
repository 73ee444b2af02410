"""An investigator chooses a trial and version on the standards page and downloads files."""

import pyreadstat
import pytest

from screening.review.standards.odm_schema import odm_validate
from tests.browser.conftest import sign_in
from tests.factories import UserFactory
from tests.screening.log_data import make_cohort
from trialsite import roles
from trialsite.models import CandidateAccess

pytestmark = pytest.mark.django_db(transaction=True)


def test_investigator_downloads_the_standards_files(page, protocol, screenshot_dir, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    nurse = UserFactory(username="nurse", role=roles.STUDY_NURSE)
    second_nurse = UserFactory(username="nurse2", role=roles.STUDY_NURSE)
    investigator = UserFactory(username="investigator", role=roles.INVESTIGATOR)
    make_cohort(protocol.trial, nurse, second_nurse, investigator)

    sign_in(page, "investigator")
    page.click("nav >> text=Screening log")
    page.click('[data-testid="standards-exports"]')
    page.select_option("select[name=trial]", "NCT01387295")
    page.fill("input[name=version]", "9")
    page.click("input[type=submit], button[type=submit] >> nth=-1")
    error = page.locator("#id_version_error")
    assert "has no criteria set version 9" in error.inner_text()
    page.screenshot(path=str(screenshot_dir / "standards-error-1280.png"), full_page=True)

    page.fill("input[name=version]", "1")
    page.click("input[type=submit], button[type=submit] >> nth=-1")
    page.wait_for_selector('[data-testid="standards-files"]')
    page.screenshot(path=str(screenshot_dir / "standards-1280.png"), full_page=True)

    with page.expect_download() as odm:
        page.click('[data-testid="download-odm"]')
    odm_validate(odm.value.path().read_bytes())
    with page.expect_download() as xpt:
        page.click('[data-testid="download-ie-xpt"]')
    target = tmp_path / "ie.xpt"
    xpt.value.save_as(target)
    frame, _ = pyreadstat.read_xport(str(target))
    assert list(frame["IETESTCD"]) == ["I13", "I13", "E07"]
    assert CandidateAccess.objects.filter(user=investigator).count() == 5 + 2

    page.set_viewport_size({"width": 768, "height": 900})
    page.reload()
    page.wait_for_selector('[data-testid="standards-files"]')
    page.screenshot(path=str(screenshot_dir / "standards-768.png"), full_page=True)
    assert not [
        url for url in page.requested_urls if not url.startswith(page.url.split("/standards")[0])
    ]
