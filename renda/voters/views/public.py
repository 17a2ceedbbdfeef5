"""The public verification page of a 选民资格证明: valid or not, and who issued it. Nothing else.

No login; rate-limited per address so the codes cannot be enumerated.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from renda.core.ratelimit import hit
from renda.voters import selectors
from renda.voters.models import CertificateStatus
from renda.voters.services.common import today

LIMIT = 30  # requests per address …
WINDOW_SECONDS = 600  # … in ten minutes


@never_cache
def verify(request: HttpRequest, code: str) -> HttpResponse:
    if not hit("verify", request, limit=LIMIT, window_seconds=WINDOW_SECONDS):
        response = render(request, "voters/public/rate_limited.html", status=429)
        response["Retry-After"] = str(WINDOW_SECONDS)
        return response
    certificate = selectors.certificate_public(code)
    valid = (
        certificate is not None
        and certificate.status == CertificateStatus.ISSUED
        and today() <= certificate.valid_until
    )
    issuer = None
    if certificate is not None:
        district = certificate.district
        issuer = f"{district.township.name}{district.name}"
    response = render(
        request,
        "voters/public/verify.html",
        {"found": certificate is not None, "valid": valid, "issuer": issuer},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
