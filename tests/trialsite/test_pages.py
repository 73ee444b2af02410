"""Every page needs a login; the home page speaks to each role."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


# Every URL a logged-out user might try; later issues append their pages here.
PROTECTED_URLS = [
    reverse("home"),
    "/admin/",
]


@pytest.mark.parametrize("url", PROTECTED_URLS)
def test_anonymous_user_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(("/login/", "/admin/login/"))


def test_login_page_is_open(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in to TrialSite" in response.content


def test_health_needs_no_login(client):
    assert client.get(reverse("health")).content == b"ok"


@pytest.mark.parametrize(
    ("client_fixture", "shown", "hidden"),
    [
        ("nurse_client", "role-nurse", ["role-investigator", "role-criteria-admin"]),
        ("investigator_client", "role-investigator", ["role-nurse", "role-criteria-admin"]),
        ("criteria_admin_client", "role-criteria-admin", ["role-nurse", "role-investigator"]),
    ],
)
def test_home_page_differs_by_role(request, client_fixture, shown, hidden):
    content = request.getfixturevalue(client_fixture).get(reverse("home")).content.decode()
    assert f'data-testid="{shown}"' in content
    for other in hidden:
        assert f'data-testid="{other}"' not in content


def test_user_without_role_is_told_so(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("norole", password="x" * 12))
    assert b'data-testid="role-none"' in client.get(reverse("home")).content


def test_login_with_wrong_password_shows_message(client, nurse):
    response = client.post(reverse("login"), {"username": "nurse", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_logout_is_a_post_and_ends_the_session(nurse_client):
    response = nurse_client.post(reverse("logout"))
    assert response.status_code == 302
    assert nurse_client.get(reverse("home")).status_code == 302
