"""The one base class of pages that guard an object by a named permission."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.views import View


class PermissionView(LoginRequiredMixin, View):
    """Login first, then ``get_permission_object`` finds the guarded object through a
    permission-aware getter that checks ``permission_required`` by name and raises
    ``Http404`` for anyone without it (a stranger learns nothing of what exists). The object
    is ``self.object``; ``load`` then looks up what else the address names through it.

    Subclasses (e.g. ``awards.views_base.OrganiserView``) declare ``permission_required``
    and say how the object is found; pages declare nothing else about access."""

    permission_required: str = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.permission_required:
            raise NotImplementedError(f"{type(self).__name__} declares no permission_required")
        self.object = self.get_permission_object()
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_permission_object(self) -> Any:
        raise NotImplementedError

    def load(self, **kwargs: Any) -> None:
        """Look up what else the address names, once the object is allowed (404 if not)."""
