"""The URLconf of bench/http.py's server: Laurel's own, and before it ``/bench-floor/``.

The floor is the cheapest page a logged-in user can get from this stack: the whole
middleware (session, user, language, CSRF, messages, security headers) as for every page,
then one indexed query and a template of one line, rendered without context processors. A
page's requests per second over the floor's say how much of the server's capacity the page's
own work takes; what no page can beat (gunicorn, WSGI, the middleware, loading the session
and the user) is in the floor too. It exists only in the bench.
"""

from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.urls import path

from awards.models import Award
from config import urls as laurel_urls

FLOOR = Template(
    '<!doctype html><title>floor</title><p data-testid="bench-floor">{{ award }} {{ name }}</p>\n'
)


def floor(request: HttpRequest) -> HttpResponse:
    """One indexed query (the award by its slug) and a one-line template; 403 without a
    login, so that a session lost during the run shows as a failure, not as a fast page."""
    if not request.user.is_authenticated:
        return HttpResponse("login needed", status=403)
    award = (
        Award.objects.filter(slug=request.GET.get("award", "")).values_list("pk", flat=True).first()
    )
    context = Context({"award": award, "name": request.user.full_name})
    return HttpResponse(FLOOR.render(context))


urlpatterns = [path("bench-floor/", floor, name="bench_floor"), *laurel_urls.urlpatterns]
handler500 = laurel_urls.handler500
