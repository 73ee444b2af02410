"""Every page of the site, who opens it, and one site's worth of data to show on each.

The accessibility tests visit each page as each role that may open it; the data is made once
for the whole module (through the real services) so that every page has something to show.
"""

from dataclasses import dataclass

from criteria.services import criteria_set_draft_create, criterion_save
from tests.cases import fill, lvef_amended
from tests.factories import UserFactory
from tests.screening.log_data import make_cohort
from trialsite import roles

TRIAL = "NCT01387295"
NURSE, INVESTIGATOR, CRITERIA_ADMIN, ANONYMOUS = "nurse", "investigator", "criteria-admin", ""
STAFF = (NURSE, INVESTIGATOR, CRITERIA_ADMIN)
ROLE_OF_USER = {
    NURSE: roles.STUDY_NURSE,
    INVESTIGATOR: roles.INVESTIGATOR,
    CRITERIA_ADMIN: roles.CRITERIA_ADMIN,
}
# Every page is checked in both languages (chosen by the language switch's cookie).
LANGUAGES = ["en", "da"]


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # {A}…{E} are make_cohort's screening numbers
    roles: tuple[str, ...]


PAGES = [
    Page("login", "/login/", (ANONYMOUS,)),
    Page("home", "/", STAFF),
    Page("candidates", "/candidates/", STAFF),
    Page("register", "/candidates/new/", (NURSE,)),
    Page("candidate-detail", "/candidates/{A}/", STAFF),
    Page("candidate-edit", "/candidates/{E}/edit/", (NURSE,)),
    Page("screening-form", "/candidates/{E}/episodes/1/", STAFF),
    Page("screening-form-decided", "/candidates/{C}/episodes/1/", (NURSE,)),
    Page("confirmation", "/candidates/{E}/episodes/1/decide/", (NURSE,)),
    Page("log", "/log/", STAFF),
    Page("summary", "/log/summary/", STAFF),
    Page("audit-trail", "/log/candidates/{A}/audit-trail/", (INVESTIGATOR,)),
    Page("sign-off", "/log/decisions/{C_decision}/sign/", (INVESTIGATOR,)),
    Page("access-log", "/access-log/", (INVESTIGATOR,)),
    Page("standards-exports", "/standards/", (INVESTIGATOR,)),
    Page("criteria-list", "/criteria/", STAFF),
    Page("set-detail", f"/criteria/{TRIAL}/v1/", STAFF),
    Page("draft-detail", f"/criteria/{TRIAL}/v2/", (CRITERIA_ADMIN,)),
    Page("edit-criterion", f"/criteria/{TRIAL}/v2/I18/edit/", (CRITERIA_ADMIN,)),
    Page("diff", f"/criteria/{TRIAL}/v2/diff/", (CRITERIA_ADMIN,)),
    Page("impact", f"/criteria/{TRIAL}/v2/impact/", (CRITERIA_ADMIN,)),
    Page("history", f"/criteria/{TRIAL}/history/", STAFF),
]

PAGE_VISITS = [(role or "anonymous", page) for page in PAGES for role in page.roles]


def visit_id(visit) -> str:
    role, page = visit
    return f"{role}-{page.name}"


def site_make(trial) -> dict[str, str]:
    """Users of every role, make_cohort's five patients (E's answers saved, not decided) and a
    draft v2 that amends I18. Out: the placeholders of Page.path."""
    users = {name: UserFactory(username=name, role=role) for name, role in ROLE_OF_USER.items()}
    second_nurse = UserFactory(username="nurse2", role=roles.STUDY_NURSE)
    numbers = make_cohort(trial, users[NURSE], second_nurse, users[INVESTIGATOR])
    episode_e = trial.candidates.get(screening_number=numbers["E"]).screenings.get()
    fill(episode_e, users[NURSE], date_of_birth="1970-05-01")
    c_episode = trial.candidates.get(screening_number=numbers["C"]).screenings.get()
    draft = criteria_set_draft_create(trial=trial, created_by=users[CRITERIA_ADMIN])
    i18 = draft.criteria.get(code="I18")
    for name, value in lvef_amended(i18.as_rule_dict(), "55").items():
        setattr(i18, name, value)
    criterion_save(criterion=i18, changed_by=users[CRITERIA_ADMIN], reason="Amendment 3")
    return numbers | {"C_decision": str(c_episode.decisions.get().public_id)}
