import hmac

from django.conf import settings
from django.http import HttpRequest


def bearer_matches(request: HttpRequest, expected: str) -> bool:
    """The request carries "Authorization: Bearer <expected>" (compared in constant time)."""
    scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(supplied.encode(), expected.encode())


def metrics_token_presented(request: HttpRequest) -> bool:
    """The caller holds METRICS_TOKEN: Prometheus, and operators' scripts. /metrics and the
    detailed health pages ask for it. Without a token configured (development only:
    production refuses to start without one) nothing is asked."""
    token: str = settings.METRICS_TOKEN
    return not token or bearer_matches(request, token)
