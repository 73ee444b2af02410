"""What every response of the application says to the browser: keep nothing (Cache-Control:
no-store, since nearly every page holds patient data) and run only this site's own files
(the Content-Security-Policy). Checked over every URL of the permission matrix as every role,
and over the admin and error pages; static files are the one exception to no-store."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.trialsite.test_permission_matrix import MATRIX, ROLES
from trialsite import roles

pytestmark = pytest.mark.django_db

REQUIRED = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "object-src": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}
ADMIN_STYLE_ATTRIBUTE = {"'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"}
# Sources that would let injected markup run or style a page.
UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:", "data:"}


def policy(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: set(sources) for name, *sources in directives}


def assert_protected(response, where) -> None:
    cache = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache, where
    directives = policy(response)
    for name, sources in REQUIRED.items():
        assert directives[name] == sources, (where, name)
    for name in ("default-src", "script-src", "style-src", "connect-src", "font-src"):
        assert not directives.get(name, set()) & UNSAFE, (where, name)
    # Only the admin may apply one inline style attribute, named by its hash.
    in_admin = response.wsgi_request.path.startswith("/admin/")
    assert directives.get("style-src-attr") == (ADMIN_STYLE_ATTRIBUTE if in_admin else None)


@pytest.mark.parametrize("row", MATRIX, ids=[f"{r[1]} {r[0]}" for r in MATRIX])
def test_every_url_as_every_role_is_not_stored_and_carries_the_policy(world, row):
    name, method, args, *_ = row
    url = reverse(name, args=[world.get(a, a) if isinstance(a, str) else a for a in args])
    for role in ROLES:
        client = Client()
        if role is not None:
            client.force_login(UserFactory(username=f"asker-{role}", role=role))
        assert_protected(getattr(client, method)(url), (name, role))


def test_admin_error_and_refusal_pages_are_not_stored_and_carry_the_policy(world, client):
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 12)
    client.force_login(root)
    for url in (
        reverse("admin:index"),
        reverse("admin:screening_decision_changelist"),
        reverse("admin:criteria_variable_changelist"),
        reverse("admin:criteria_variable_change", args=[1]),
        reverse("admin:criteria_variable_history", args=[1]),
        "/no-such-page/",
        "/candidates/NCT01387295-S9999/",
        "/candidates/?q=%00",
    ):
        assert_protected(client.get(url), url)
    client.logout()
    assert_protected(client.post(reverse("login"), {"username": "x", "password": "y"}), "login")


def test_static_files_may_be_cached(client):
    """The one exception: they hold no patient data, and WhiteNoise serves them first."""
    response = client.get("/static/css/trialsite.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_exports_are_not_stored(world, client):
    client.force_login(UserFactory(username="reader", role=roles.INVESTIGATOR))
    for name in ("log:export-csv", "log:export-xlsx"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
