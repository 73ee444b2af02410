"""Drive a running TrialSite over HTTP as its users would: the production smoke test's browser.

    smoke_client.py BASE_URL CASE.json   (passwords in SMOKE_NURSE_PASSWORD and
                                          SMOKE_INVESTIGATOR_PASSWORD)

A nurse logs in, registers a referral, saves the screening values of CASE.json and records
the decision; an investigator logs in and signs it off. Exit 0 when every step answered as
expected, 1 naming the first step that did not. Standard library only: it runs before
anything else is installed. Requests look as if TLS ended at a load balancer
(X-Forwarded-Proto: https), as in a hospital's set-up, so secure cookies and the CSRF
origin check are exercised as in production.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request


class StepFailed(Exception):
    pass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies kept by hand: a cookie jar would not send Secure cookies over plain HTTP."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.origin = "https://" + urllib.parse.urlsplit(self.base).netloc
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, Location header, body) of one request; redirects are not followed."""
        headers = {"X-Forwarded-Proto": "https", "Origin": self.origin, "Referer": self.origin}
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
            body = urllib.parse.urlencode(data, doseq=True).encode()
        # The base is the http:// address the smoke script started gunicorn on.
        req = urllib.request.Request(self.base + path, body, headers, method=method)  # noqa: S310
        try:
            response = self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        text = response.read().decode("utf-8", "replace")
        return response.status, response.headers.get("Location", ""), text

    def expect(self, step: str, method: str, path: str, data=None, status=302) -> str:
        """Send a request; raise StepFailed unless it answers `status`. Returns the Location
        (for a redirect) or the page."""
        got, location, text = self.request(method, path, data)
        if got != status:
            raise StepFailed(f"{step}: {method} {path} answered {got}, expected {status}")
        print(f"ok   {step}: {method} {path} -> {got} {location}".rstrip())
        return location if status == 302 else text

    def log_in(self, username: str, password: str) -> None:
        page = self.expect("login page", "GET", "/login/", status=200)
        for sheet in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page):
            self.expect("stylesheet (collectstatic, whitenoise)", "GET", sheet, status=200)
        data = {"username": username, "password": password}
        self.expect(f"log in as {username}", "POST", "/login/", data)


def form_data(values: dict) -> dict:
    """The screening form's fields for a case's values (as the nurse would tick them)."""
    data = {}
    for key, value in values.items():
        if isinstance(value, bool):
            data[key] = "yes" if value else "no"
        elif value == "never":
            data[f"{key}__never"] = "on"
        else:
            data[key] = str(value)
    return data


def register(nurse: Browser) -> str:
    referral = {
        "initials": "SM",
        "date_of_birth": "02-03-1965",
        "sex": "female",
        "referring_unit": "Herlev, Oncology",
        "referral_date": dt.date.today().isoformat(),
    }
    return nurse.expect("register a referral", "POST", "/candidates/new/", referral)


def record_decision(nurse: Browser, episode_url: str) -> None:
    """Record the decision on the saved values: the confirmation page shows the outcome and
    carries a fingerprint of what was shown; confirming posts it back."""
    page = nurse.expect("the confirmation page", "GET", episode_url + "decide/", status=200)
    if "You are about to record" not in page or "Eligible" not in page:
        raise StepFailed("the confirmation page does not show the outcome Eligible")
    found = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page)
    if not found:
        raise StepFailed("the confirmation page carries no fingerprint")
    data = {"screen_failure_reason": "", "fingerprint": found.group(1), "confirm": ""}
    candidate_url = nurse.expect("confirm the decision", "POST", episode_url + "decide/", data)
    page = nurse.expect("the candidate's page", "GET", candidate_url, status=200)
    if "Decision recorded: Eligible." not in page:
        raise StepFailed("record the decision: the page does not say it recorded Eligible")


def sign_off(investigator: Browser, password: str) -> None:
    log = investigator.expect("screening log", "GET", "/log/", status=200)
    links = re.findall(r'href="(/log/decisions/[0-9a-f-]{36}/sign/)"', log)
    if len(links) != 1:
        raise StepFailed(f"screening log: expected one sign-off link, found {len(links)}")
    investigator.expect("sign-off page", "GET", links[0], status=200)
    data = {"password": password, "confirm": "on"}
    trail = investigator.expect("sign off", "POST", links[0], data)
    page = investigator.expect("audit trail", "GET", trail, status=200)
    if "Signed off. The signature is recorded below." not in page:
        raise StepFailed("sign off: the audit trail does not say 'Signed off.'")


def main(base: str, case_file: str) -> None:
    with open(case_file, encoding="utf-8") as case:
        values = json.load(case)["values"]
    nurse = Browser(base)
    nurse.expect("health", "GET", "/health/", status=200)
    nurse.log_in("smoke-nurse", os.environ["SMOKE_NURSE_PASSWORD"])
    episode_url = register(nurse)
    nurse.expect("screening form", "GET", episode_url, status=200)
    nurse.expect("save the screening values", "POST", episode_url, form_data(values))
    record_decision(nurse, episode_url)
    investigator = Browser(base)
    password = os.environ["SMOKE_INVESTIGATOR_PASSWORD"]
    investigator.log_in("smoke-investigator", password)
    sign_off(investigator, password)


if __name__ == "__main__":
    try:
        main(*sys.argv[1:])
    except StepFailed as failure:
        print(f"FAIL {failure}", file=sys.stderr)
        sys.exit(1)
