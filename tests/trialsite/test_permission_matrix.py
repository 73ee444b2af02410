"""Every URL of the application requested as each role: the expected status of every cell.

The table is meant to be read by an auditor: rows are pages and actions, columns are who asks.
302 for a logged-in role is a successful action that redirects; for anonymous it is the
redirect to the login page. A test below proves the table names every URL the app routes.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UserFactory
from trialsite import roles

pytestmark = pytest.mark.django_db

N, D = "NCT01387295-S0001", "NCT01387295"  # the fixture's screening number and trial
# name, method, args (filled from the fixture), anonymous, nurse, investigator, criteria admin
MATRIX = [
    ("home", "get", [], 302, 200, 200, 200),
    ("login", "get", [], 200, 200, 200, 200),
    ("logout", "post", [], 302, 302, 302, 302),
    ("health", "get", [], 200, 200, 200, 200),
    # The language switch needs no log-in (the log-in page has it); it redirects back.
    ("set-language", "post", [], 302, 302, 302, 302),
    ("screening:candidate-list", "get", [], 302, 200, 200, 200),
    ("screening:candidate-register", "get", [], 302, 200, 403, 403),
    ("screening:candidate-detail", "get", [N], 302, 200, 200, 200),
    ("screening:candidate-change", "get", [N], 302, 200, 403, 403),
    ("screening:screening-start", "post", [N], 302, 302, 403, 403),
    ("screening:screening-form", "get", [N, 1], 302, 200, 200, 200),
    ("screening:screening-form", "post", [N, 1], 302, 200, 403, 403),  # 200: episode locked
    ("screening:decision-record", "get", [N, 1], 302, 302, 403, 403),  # 302: decided
    ("screening:decision-record", "post", [N, 1], 302, 302, 403, 403),
    ("screening:decision-reevaluate", "post", [N, 1], 302, 302, 403, 403),
    # 404: no FHIR_BASE_URL here; configured, tests/screening/prefill show the nurse's pages.
    ("screening:prefill", "get", [N, 1], 302, 404, 403, 403),
    ("screening:prefill", "post", [N, 1], 302, 404, 403, 403),
    ("screening:prefill-approve", "post", [N, 1], 302, 404, 403, 403),
    ("log:list", "get", [], 302, 200, 200, 200),
    ("log:export-csv", "get", [], 302, 403, 200, 403),
    ("log:export-xlsx", "get", [], 302, 403, 200, 403),
    ("log:summary", "get", [], 302, 200, 200, 200),
    ("log:signoff", "get", ["decision"], 302, 403, 200, 403),
    ("log:audit-trail", "get", [N], 302, 403, 200, 403),
    ("criteria:trial-list", "get", [], 302, 200, 200, 200),
    ("criteria:draft-create", "post", [D], 302, 403, 403, 302),
    ("criteria:history", "get", [D], 302, 200, 200, 200),
    ("criteria:set-detail", "get", [D, 1], 302, 200, 200, 200),
    ("criteria:criterion-add", "get", [D, 2], 302, 403, 403, 200),
    ("criteria:set-diff", "get", [D, 2], 302, 200, 200, 200),
    ("impact:preview", "get", [D, 2], 302, 200, 200, 200),
    ("criteria:set-publish", "post", [D, 2], 302, 403, 403, 302),
    ("criteria:criterion-edit", "get", [D, 2, "I18"], 302, 403, 403, 200),
    ("criteria:criterion-retire", "post", [D, 2, "I18"], 302, 403, 403, 302),
    ("access-log", "get", [], 302, 403, 200, 403),
    ("standards:page", "get", [], 302, 403, 200, 403),
    ("standards:download", "get", ["odm"], 302, 403, 400, 403),  # 400: no trial chosen
    ("admin:index", "get", [], 302, 302, 302, 302),
]
OPEN_ACTIONS = {"set-language"}
ROLES = [None, roles.STUDY_NURSE, roles.INVESTIGATOR, roles.CRITERIA_ADMIN]


@pytest.mark.parametrize("row", MATRIX, ids=[f"{r[1]} {r[0]}" for r in MATRIX])
def test_permission_matrix(world, row):
    """One row, every role in turn (the criteria admin last: its actions change the draft)."""
    name, method, args, *expected = row
    url = reverse(name, args=[world.get(a, a) if isinstance(a, str) else a for a in args])
    for role, status in zip(ROLES, expected, strict=True):
        client = Client()
        if role is not None:
            client.force_login(UserFactory(username=f"asker-{role}", role=role))
        response = getattr(client, method)(url)
        assert response.status_code == status, (name, method, role)
        if role is None and status == 302 and name not in OPEN_ACTIONS:
            assert "login" in response["Location"]


def _named_patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            if pattern.namespace != "admin":
                yield from _named_patterns(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name


def test_the_matrix_covers_every_url_of_the_application():
    routed = set(_named_patterns(get_resolver()))
    in_matrix = {row[0] for row in MATRIX}
    assert routed - in_matrix == set()
