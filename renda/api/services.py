from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.api.models import ApiToken
from renda.core.audit import audit_record
from renda.core.errors import ServiceError

TOKEN_BYTES = 32
MAX_TOKENS = 10


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``actor``; the plain token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ServiceError(_("请填写令牌用途。"), field="name")
    if actor.api_tokens.filter(revoked_at__isnull=True).count() >= MAX_TOKENS:
        raise ServiceError(
            _("每个账号最多 %(n)d 个有效令牌，请先吊销不用的令牌。") % {"n": MAX_TOKENS}
        )
    plain = "rnd_" + secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name[:64], prefix=plain[4:12], key_hash=token_digest(plain)
        )
        audit_record(
            actor=actor, action="api.token_create", target=token, region_code=actor.home_code
        )
    return token, plain


def token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise ServiceError(_("只能吊销自己的令牌。"))
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="api.token_revoke", target=token, region_code=actor.home_code
        )


def token_authenticate(plain: str) -> User | None:
    """The active user behind a bearer token, or None."""
    try:
        token = ApiToken.objects.select_related("user").get(
            key_hash=token_digest(plain), revoked_at__isnull=True
        )
    except ApiToken.DoesNotExist:
        return None
    user = token.user
    if not user.is_active or user.must_change_password:
        return None
    now = timezone.now()
    # Recording every call would write on every read; a minute's precision is enough.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
