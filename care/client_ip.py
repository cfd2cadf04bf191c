"""The address a request really came from, for rate limits and lockouts.

Behind a reverse proxy every request arrives from the proxy, so limits per REMOTE_ADDR would lock
everyone out together. With TRUSTED_PROXY_COUNT proxies in front, each appending the address it got
the request from to X-Forwarded-For, the client's address is that many entries from the right; entries
further left were written by the client and are not believed."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        return remote  # not through all the proxies we expect: take the sender at its word, no further
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
