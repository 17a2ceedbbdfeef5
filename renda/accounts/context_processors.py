"""What every page's shell needs: navigation, the user's places, the current scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from renda.accounts import access
from renda.core.registry import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    grants = access.assignments(user)
    return {
        "nav_items": nav_for(user),
        "my_assignments": grants,
        "my_roles": sorted({a.get_role_display() for a in grants}),
    }
