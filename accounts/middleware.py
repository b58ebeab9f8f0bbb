from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user sees the site in their preferred language (set in the profile or by
    the language switcher); anonymous visitors get the cookie / Accept-Language choice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class SessionActivityMiddleware:
    """Keeps "last seen" of a logged-in session up to date (``accounts.sessions``): after the
    view, so that a login or logout in it is already done, and before the session is saved.
    Writes at most every few minutes per session; other requests cost no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            from .sessions import session_touch

            session_touch(request)
        return response
