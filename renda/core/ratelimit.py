"""A small fixed-window limiter for public pages, kept in Django's cache.

Per client address: behind a reverse proxy REMOTE_ADDR must be the real client (set by the
proxy configuration), as it is for the audit trail. The counts live in the default cache, which
is per process unless CACHES names a shared one: with N web workers a client gets up to N times
the limit — still enough to stop enumeration, but configure a shared cache in production.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def client_key(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def hit(scope: str, request: HttpRequest, *, limit: int, window_seconds: int) -> bool:
    """Count one request; False once ``limit`` requests were seen in the current window."""
    key = f"ratelimit:{scope}:{client_key(request)}"
    # add() only sets a missing key, so the window starts with the first request and expires
    # on its own; incr() is atomic in memcached/redis and under the local-memory cache's lock.
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
