"""Refuse request parameters no person can type: NUL characters.

PostgreSQL cannot store or even compare a text containing NUL (psycopg2 raises ValueError
before the query is sent), so one in a search box or a form would end in a server error.
Forms refuse them field by field already; this closes every other door (search, filters,
views to come) with a plain 400 "Bad request".
"""

from django.core.exceptions import BadRequest


def reject_nul_characters(get_response):
    def middleware(request):
        sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
        for params in sources:
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest("Request parameters must not contain NUL characters.")
        return get_response(request)

    return middleware
