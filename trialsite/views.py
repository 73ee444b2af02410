from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView


class HomeView(TemplateView):
    """Each role sees what it can do next; the template asks the user's permissions."""

    template_name = "home.html"


@login_not_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer: answers without a login and without touching patient data."""
    return HttpResponse("ok", content_type="text/plain")
