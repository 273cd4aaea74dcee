import hmac

from django.http import HttpRequest


def bearer_matches(request: HttpRequest, expected: str) -> bool:
    """The request carries "Authorization: Bearer <expected>" (compared in constant time)."""
    scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(supplied.encode(), expected.encode())
