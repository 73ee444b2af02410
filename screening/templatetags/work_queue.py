"""`{% unfinished_screenings %}`: the signed-in nurse's screenings without a decision, for the
home page (the project's home view imports no app, so the list comes through this tag)."""

from django import template

from screening.intake.selectors import unfinished_screenings as unfinished

register = template.Library()


@register.inclusion_tag("screening/_unfinished.html", takes_context=True)
def unfinished_screenings(context: template.Context) -> dict:
    return {"episodes": unfinished(context["request"].user), "perms": context.get("perms")}
