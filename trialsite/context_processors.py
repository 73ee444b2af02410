from trialsite import roles


def user_roles(request) -> dict:
    """The user's roles by name, in order: the header shows them, and templates greet each role
    with its own next steps."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": ()}
    # Kept on the request: a page that renders a second template (django-tables2's table)
    # runs the context processors again, and the roles cannot change within a request.
    if not hasattr(request, "_user_role_names"):
        request._user_role_names = tuple(
            user.groups.order_by("name").values_list("name", flat=True)
        )
    names = request._user_role_names
    return {
        "user_roles": names,
        "is_nurse": roles.STUDY_NURSE in names,
        "is_investigator": roles.INVESTIGATOR in names,
        "is_criteria_admin": roles.CRITERIA_ADMIN in names,
    }
