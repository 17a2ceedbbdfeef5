from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from renda.api import services
from renda.api.models import ApiToken
from renda.core.errors import ServiceError
from renda.core.http import AuthedRequest


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    context: dict[str, object] = {}
    if request.method == "POST":
        try:
            _token, plain = services.token_create(
                actor=request.user, name=request.POST.get("name", "")
            )
            context["new_token"] = plain
        except ServiceError as exc:
            context["error"] = exc.message
    context["tokens"] = request.user.api_tokens.order_by("-id")
    return render(request, "api/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        token = request.user.api_tokens.get(pk=pk, revoked_at__isnull=True)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    services.token_revoke(actor=request.user, token=token)
    return redirect("api_tokens")
