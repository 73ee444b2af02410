"""The look-up form (the identifier, never shown back) and the approval form."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from screening.prefill.mapping import Proposal

CPR = re.compile(r"(\d{6})-?(\d{4})")
SIGNING_SALT = "screening.prefill.proposals"
PROPOSALS_MAX_AGE = 30 * 60  # seconds a look-up's proposals may be approved in


class NeverShownInput(forms.TextInput):
    """A text input that never renders its value: a page shown again after an error must not
    carry the patient's identifier back to the browser."""

    def format_value(self, value):
        return None


class LookupForm(forms.Form):
    identifier = forms.CharField(
        label=_("CPR number"),
        max_length=20,
        strip=True,
        widget=NeverShownInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text=_("10 digits (ddmmyy-xxxx). Used for this look-up only; never stored."),
    )

    def clean_identifier(self) -> str:
        match = CPR.fullmatch(self.cleaned_data["identifier"])
        if match is None or not _is_day(match.group(1)):
            raise forms.ValidationError(
                _(
                    "Enter a CPR number: 10 digits, the first six a date (ddmmyy), "
                    "like 010170-1234."
                ),
                code="cpr",
            )
        return match.group(1) + match.group(2)


class ApproveForm(forms.Form):
    """The proposals travel signed in the page, so the server stores nothing before approval
    and a changed proposal is refused."""

    proposals = forms.CharField(widget=forms.HiddenInput)
    change_reason = forms.CharField(
        required=False,
        max_length=500,
        label=_("Reason for changing saved answers"),
        help_text=_("Needed only when an approved value replaces a different saved one."),
    )

    def __init__(self, *args, screening_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.screening_id = screening_id

    def clean_proposals(self) -> dict:
        try:
            data = signing.loads(
                self.cleaned_data["proposals"], salt=SIGNING_SALT, max_age=PROPOSALS_MAX_AGE
            )
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _("These values were fetched more than 30 minutes ago: fetch them again."),
                code="expired",
            ) from None
        except signing.BadSignature:
            raise forms.ValidationError(_("The fetched values were altered."), code="bad") from None
        if data.get("screening") != self.screening_id:
            raise forms.ValidationError(_("These values were fetched for another episode."))
        data["proposals"] = [Proposal.from_dict(p) for p in data["proposals"]]
        return data

    def chosen(self) -> list[Proposal]:
        """The approved proposals (all usable ones when "Approve all" was pressed)."""
        data = self.cleaned_data["proposals"]
        keys = set(self.data.getlist("approve"))
        every = "approve_all" in self.data
        return [p for p in data["proposals"] if p.usable and (every or p.key in keys)]


def proposals_token(*, screening_id: int, server_url: str, proposals) -> str:
    """The signed form of a look-up's proposals, for the approval form's hidden field."""
    return signing.dumps(
        {
            "screening": screening_id,
            "system": server_url,
            "proposals": [p.to_dict() for p in proposals],
        },
        salt=SIGNING_SALT,
        compress=True,
    )


def _is_day(ddmmyy: str) -> bool:
    day, month, year = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    try:
        dt.date(2000 + year, month, day)  # 2000 is a leap year: 29 February passes
    except ValueError:
        return False
    return True
