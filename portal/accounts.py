"""Accounts the branch offices run: village operators invited by branch staff, branch staff invited
by administrators. An invitation is a one-time link to choose a password, valid for
INVITATION_DAYS days (7 unless set); only a hash of its token is kept."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify

from villages.models import BranchOffice, Village

from .models import Invitation, User

TOKEN_BYTES = 32


class InvitationInvalid(Exception):
    """The link is unknown, used, expired, or its account was deactivated: one answer for all."""


def invitation_days() -> int:
    return settings.INVITATION_DAYS


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def manageable_accounts(user) -> QuerySet[User]:
    """The accounts `user` may manage: for admins every branch staff and village operator
    account, for branch staff the village operators of their office's coverage area (villages'
    one scoping rule), for anyone else none."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.is_admin:
        return User.objects.filter(
            role__in=[User.Role.BRANCH_STAFF, User.Role.VILLAGE_OPERATOR], is_superuser=False
        )
    if user.is_branch_staff:
        return User.objects.filter(
            role=User.Role.VILLAGE_OPERATOR, village__in=Village.objects.for_user(user)
        )
    return User.objects.none()


def villages_without_operator(villages: QuerySet[Village]) -> QuerySet[Village]:
    """The villages among `villages` that have no active village operator account."""
    active = User.objects.filter(
        village=OuterRef("pk"), role=User.Role.VILLAGE_OPERATOR, is_active=True
    )
    return villages.exclude(Exists(active))


def _free_username(base: str) -> str:
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def operator_username(village: Village) -> str:
    """ "socorejo.3523122002": the village's name to read, its code to be unique (names repeat)."""
    name = slugify(village.name)[:40] or "desa"
    return _free_username(f"{name}.{village.code.replace('.', '')}")


def invitation_issue(*, user: User, by: User) -> Invitation:
    """Give `user` a fresh invitation and end any earlier one not used yet. The returned
    invitation carries the token in `.token`: the only moment it exists outside the link."""
    now = timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        user.invitations.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        invitation = Invitation.objects.create(
            user=user,
            token_hash=token_hash(token),
            created_by=by,
            created_at=now,
            expires_at=now + datetime.timedelta(days=invitation_days()),
        )
    invitation.token = token
    return invitation


def invitation_send(*, invitation: Invitation, link: str) -> bool:
    """E-mail the invitation link when the account has an address; True when a mail went out."""
    user = invitation.user
    if not user.email:
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, "link": link, "expires_at": invitation.expires_at}
        subject = render_to_string("portal/accounts/invitation_subject.txt", context)
        body = render_to_string("portal/accounts/invitation_email.txt", context)
    EmailMessage(" ".join(subject.split()), body, to=[user.email]).send()
    return True


def invitation_renew(*, user: User, by: User, link_for=None) -> Invitation:
    """A new invitation for an account (the earlier link stops working), mailed when the account
    has an address and `link_for(token)` builds the absolute link."""
    invitation = invitation_issue(user=user, by=by)
    if link_for is not None:
        transaction.on_commit(
            lambda: invitation_send(invitation=invitation, link=link_for(invitation.token))
        )
    return invitation


def _create_account(*, by: User, link_for=None, **fields) -> tuple[User, Invitation]:
    user = User(**fields)
    user.set_unusable_password()
    # Lifted by invitation_accept, once the invitation has set a password.
    user.must_change_password = True
    user.full_clean(exclude=["password"])
    user.save()
    return user, invitation_renew(user=user, by=by, link_for=link_for)


def operator_account_create(
    *,
    village: Village,
    by: User,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    link_for=None,
) -> tuple[User, Invitation]:
    """A village operator account for `village` with a one-time invitation (its `.token` is the
    link's secret). The account has no password until the invitation sets one."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _create_account(
                    by=by,
                    link_for=link_for,
                    username=operator_username(village),
                    role=User.Role.VILLAGE_OPERATOR,
                    village=village,
                    first_name=first_name,
                    last_name=last_name,
                    email=email,
                    phone=phone,
                )
        except IntegrityError:  # someone took the username a moment ago
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def operator_accounts_create_for(
    *, villages: Iterable[Village], by: User
) -> list[tuple[User, Invitation]]:
    """Create an operator account with an invitation for each of `villages` that has no active
    operator yet, all or none; villages that have one are skipped, so a repeated request
    creates nothing twice."""
    villages = list(villages)
    with transaction.atomic():
        # One bulk creation at a time per office: two clicks must not both create 328 accounts.
        locked = list(
            Village.objects.select_for_update()
            .filter(pk__in=[village.pk for village in villages])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        free = set(
            villages_without_operator(Village.objects.filter(pk__in=locked)).values_list(
                "pk", flat=True
            )
        )
        return [
            operator_account_create(village=village, by=by)
            for village in villages
            if village.pk in free
        ]


def staff_account_create(
    *,
    branch_office: BranchOffice,
    username: str,
    by: User,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    link_for=None,
) -> tuple[User, Invitation]:
    """A branch staff account for `branch_office` with a one-time invitation (admins only)."""
    with transaction.atomic():
        return _create_account(
            by=by,
            link_for=link_for,
            username=username,
            role=User.Role.BRANCH_STAFF,
            branch_office=branch_office,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
        )


def account_deactivate(*, user: User, by: User) -> User:
    """Close an account: it cannot log in, its open sessions end on their next request (Django's
    ModelBackend refuses inactive users), and its unused invitations stop working."""
    now = timezone.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.invitations.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    user.is_active = False
    return user


def invitation_for_token(token: str) -> Invitation:
    """The usable invitation behind a link, or InvitationInvalid."""
    invitation = (
        Invitation.objects.usable().select_related("user").filter(token_hash=token_hash(token))
    ).first()
    if invitation is None:
        raise InvitationInvalid
    return invitation


def invitation_accept(*, token: str, password: str) -> User:
    """Set the account's password from an invitation link, once: the invitation is used up and
    the first-login obligation to change the password is lifted. Raises InvitationInvalid."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.usable()
            .select_for_update()
            .filter(token_hash=token_hash(token))
            .first()
        )
        if invitation is None:
            raise InvitationInvalid
        now = timezone.now()
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        user = User.objects.select_for_update().get(pk=invitation.user_id)
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        # Other links of the same account die with this one.
        user.invitations.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    return user
