"""Seeing a full ID number: a permission and an audit event (DESIGN §6)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from renda.accounts.models import User
from renda.accounts.roles import Perm
from renda.core.audit import audit_record
from renda.voters import pii
from renda.voters.models import Voter
from renda.voters.services.common import require


def voter_reveal_id(*, actor: User, voter: Voter) -> str:
    """The voter's full ID number, for one display; the audit row never holds the number."""
    require(actor, Perm.VOTER_REVEAL_ID, voter.district_id, _("您无权查看该选民的完整号码。"))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="voter.reveal_id",
            target=voter,
            region_code=voter.district_id,
            summary={"masked": pii.masked(voter.id_cipher)},
        )
    return pii.reveal(voter.id_cipher)
