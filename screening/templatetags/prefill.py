"""`{% prefill_button %}`: the "Fetch from hospital record" link, shown only while a hospital
record is configured (FHIR_BASE_URL) and the episode is open to a user who may change it."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("screening/_prefill_button.html", takes_context=True)
def prefill_button(context) -> dict:
    screening = context.get("screening")
    user = context["request"].user
    shown = (
        bool(settings.FHIR_BASE_URL)
        and screening is not None
        and not screening.is_locked
        and user.has_perm("screening.change_screening")
    )
    return {"screening": screening, "shown": shown}
