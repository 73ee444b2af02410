from trialsite import roles


def user_roles(request) -> dict:
    """The user's roles by name, in order: the header shows them, and templates greet each role
    with its own next steps."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": ()}
    names = tuple(user.groups.order_by("name").values_list("name", flat=True))
    return {
        "user_roles": names,
        "is_nurse": roles.STUDY_NURSE in names,
        "is_investigator": roles.INVESTIGATOR in names,
        "is_criteria_admin": roles.CRITERIA_ADMIN in names,
    }
