"""Requests per token (and per address without one), counted in the cache: Redis in
production, so every web process counts together (``LAUREL_API_RATE``)."""

from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        self.scope = "token"
        return super().get_rate()

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is not None and getattr(token, "pk", None):
            self.scope, self.rate = "token", self.THROTTLE_RATES["token"]
            self.num_requests, self.duration = self.parse_rate(self.rate)
            return f"api-throttle:token:{token.pk}"
        self.scope, self.rate = "anonymous", self.THROTTLE_RATES["anonymous"]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return f"api-throttle:address:{self.get_ident(request)}"
