"""The hospital's FHIR R4 server, read through fhirpy (searches) and checked with fhir.resources
(R4 4.0.1 models). Every failure is raised as `PrefillFailed` with a fixed message: nothing
the server or the network says is passed on, since it may repeat the patient's identifier."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from fhir.resources.bundle import Bundle
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import (
    AuthorizationError,
    BaseFHIRError,
    ForbiddenError,
    OperationOutcome,
)
from pydantic import ValidationError

from criteria.protocol import Code
from screening.exceptions import PrefillFailed

logger = logging.getLogger(__name__)

UNREACHABLE = "The hospital record did not answer. Type the values by hand, or try again later."
TIMED_OUT = (
    "The hospital record took longer than {seconds} seconds to answer. Type the values by "
    "hand, or try again later."
)
REFUSED = (
    "The hospital record refused TrialSite's credentials (HTTP {status}). Nothing was "
    "fetched; IT support must renew FHIR_ACCESS_TOKEN."
)
UNREADABLE = (
    "The hospital record answered with data TrialSite cannot read as FHIR R4. Nothing was "
    "fetched; type the values by hand and tell IT support."
)
FAILED = "The hospital record answered with an error. Nothing was fetched; try again later."


class _NoQueryStrings(logging.Filter):
    """urllib3 logs each request line at DEBUG, query string included; a search's query
    string holds the patient's identifier, so it is cut off before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.args = tuple(
            arg.split("?", 1)[0] + "?…" if isinstance(arg, str) and "?" in arg else arg
            for arg in (record.args or ())
        )
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_NoQueryStrings())


@dataclass(frozen=True)
class Server:
    """Where and how to reach the hospital record (from the settings)."""

    base_url: str
    token: str = ""
    timeout: float = 10.0

    @classmethod
    def configured(cls) -> Server | None:
        """The server the settings name, or None while FHIR_BASE_URL is unset."""
        if not settings.FHIR_BASE_URL:
            return None
        return cls(
            base_url=settings.FHIR_BASE_URL.rstrip("/"),
            token=settings.FHIR_ACCESS_TOKEN,
            timeout=settings.FHIR_TIMEOUT_SECONDS,
        )


class HospitalRecord:
    """Searches of one FHIR server; each returns validated fhir.resources models."""

    def __init__(self, server: Server):
        self.server = server
        self.client = SyncFHIRClient(
            server.base_url,
            authorization=f"Bearer {server.token}" if server.token else None,
            extra_headers={"Accept": "application/fhir+json"},
            requests_config={"timeout": server.timeout, "allow_redirects": False},
        )

    def patients(self, *, system: str, value: str, most: int = 2) -> list:
        """The Patients carrying identifier `system|value` (at most `most`)."""
        search = self.client.resources("Patient").search(identifier=f"{system}|{value}")
        return self._resources(search.limit(most), "Patient")

    def observations(self, *, patient_id: str, code: Code, since: dt.date, until: dt.date):
        """The patient's Observations with `code`, effective from `since` to `until`
        (inclusive days), newest first."""
        search = (
            self.client.resources("Observation")
            .search(subject=f"Patient/{patient_id}", code=f"{code.system}|{code.code}")
            .search(date__ge=since.isoformat(), date__le=until.isoformat())
            .sort("-date")
            .limit(20)
        )
        return self._resources(search, "Observation")

    def _resources(self, search, resource_type: str) -> list:
        bundle = self._bundle(search)
        found = [entry.resource for entry in bundle.entry or () if entry.resource is not None]
        if any(resource.resource_type != resource_type for resource in found):
            raise PrefillFailed(UNREADABLE)
        return found

    def _bundle(self, search) -> Bundle:
        try:
            raw = search.fetch_raw()
            if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
                raise PrefillFailed(UNREADABLE)
            return Bundle.parse_obj(raw)
        except PrefillFailed:
            raise
        except (AuthorizationError, ForbiddenError) as error:
            status = 401 if isinstance(error, AuthorizationError) else 403
            logger.warning("FHIR server refused the credentials (HTTP %s)", status)
            raise PrefillFailed(REFUSED.format(status=status)) from None
        except requests.Timeout:
            logger.warning("FHIR server timed out after %s s", self.server.timeout)
            raise PrefillFailed(TIMED_OUT.format(seconds=_seconds(self.server.timeout))) from None
        except requests.RequestException as error:
            logger.warning("FHIR server unreachable (%s)", type(error).__name__)
            raise PrefillFailed(UNREACHABLE) from None
        except (ValidationError, ValueError, TypeError, KeyError, AttributeError) as error:
            logger.warning("FHIR server sent an unreadable answer (%s)", type(error).__name__)
            raise PrefillFailed(UNREADABLE) from None
        except (OperationOutcome, BaseFHIRError) as error:
            logger.warning("FHIR server answered with an error (%s)", type(error).__name__)
            raise PrefillFailed(FAILED) from None


def _seconds(timeout: float) -> str:
    return f"{timeout:g}"
