"""Helpers of the group editor's tests: the second test trial (tests/data/NCT09990001.json,
with an all-of and an any-of criterion) in a draft, and the editor's form as a browser would
post it (read from the page's HTML, so what is tested is what the page shows)."""

import json
from pathlib import Path

from django.urls import reverse
from lxml import html

from criteria.services import criteria_set_draft_create, protocol_load

GROUP_TRIAL = "NCT09990001"
GROUP_PROTOCOL = Path(__file__).resolve().parents[1] / "data/NCT09990001.json"


def group_draft_create(admin):
    """NCT09990001 loaded (v1 published) and a draft v2 copied from it by `admin`."""
    data = json.loads(GROUP_PROTOCOL.read_text(encoding="utf-8"))
    trial = protocol_load(data=data, source=GROUP_PROTOCOL.name).trial
    return criteria_set_draft_create(trial=trial, created_by=admin)


def edit_url(draft, code: str) -> str:
    return reverse("criteria:criterion-edit", args=[draft.trial.registry_id, draft.version, code])


def form_values(content: bytes) -> dict[str, str]:
    """What the editor's form posts as shown (selected options, typed texts, hidden fields),
    without any of its buttons."""
    page = html.fromstring(content)
    (form,) = page.xpath('//form[@data-testid="criterion-form"]')
    values = dict(form.form_values())
    for area in form.xpath(".//textarea"):
        # A browser drops the one newline that follows <textarea>; lxml keeps it.
        values[area.name] = values[area.name].removeprefix("\n")
    return values


def press(client, url: str, values: dict, action: str | None = None, **changes):
    """Post the form with `changes`, by a rule button (`action`) or by Save."""
    button = {"rule_action": action} if action else {"save": "save"}
    return client.post(url, {**values, **changes, **button})


def parts_shown(content: bytes) -> list[str]:
    """The numbers of the parts the page shows, in order ("1", "2", "2.1", …)."""
    return [li.get("data-part") for li in html.fromstring(content).xpath("//*[@data-part]")]


def focused(content: bytes) -> str:
    """The name (a field) or value (a button) of the one element the page focuses."""
    (element,) = html.fromstring(content).xpath("//*[@autofocus]")
    return element.get("value") if element.tag == "button" else element.get("name")
