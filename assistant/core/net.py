from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address, read from X-Forwarded-For only behind trusted proxies."""
    proxies: int = settings.TRUSTED_PROXY_COUNT
    forwarded: str | None = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    remote: str | None = request.META.get("REMOTE_ADDR")
    return remote
