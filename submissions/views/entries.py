"""(Being built.)"""

from django.http import Http404
from django.urls import path


def _detail(request, pk: int):
    raise Http404


urlpatterns: list = [path("submissions/<int:pk>/", _detail, name="detail")]
