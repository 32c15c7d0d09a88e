"""URL canonicalization: one spelling per resource, so that one page is one record."""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

#: Query parameters that never change what a page shows (GovDelivery and analytics tags).
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "_ga"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_ip_or_local(host: str) -> bool:
    """True for IP addresses and localhost, which keep their scheme (no https there)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def canonical_url(url: str, *, fold_www: bool = True) -> str:
    """The canonical spelling of ``url``.

    Lower-case host without a trailing dot; ``www.`` dropped (when ``fold_www``); https for named
    hosts (IP addresses and localhost keep their scheme, so a local mirror still works); default
    ports, fragments and tracking parameters (``utm_*``...) dropped; the remaining query sorted
    and percent-encoding normalized (w3lib).
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".").lower()
    if fold_www and host.startswith("www."):
        host = host[4:]
    given = parts.scheme.lower() or "https"
    scheme = "https" if given == "http" and host and not is_ip_or_local(host) else given
    port = parts.port
    if port and port not in (DEFAULT_PORTS.get(given), DEFAULT_PORTS.get(scheme)):
        netloc = f"{host}:{port}"
    else:
        netloc = host
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING_PARAMS
        ]
    )
    path = parts.path or "/"
    return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")))
