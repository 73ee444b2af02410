"""Services that create and change accounts: one transaction each, nothing half-done.

Accounts are never deleted: decisions, signatures and the access log point at them, so an
account that must stop working is deactivated. Every change is logged (who ran it, which
account, what changed), never the password.
"""

from __future__ import annotations

import getpass
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from trialsite import roles
from trialsite.exceptions import AccountError

logger = logging.getLogger("trialsite.accounts")


def role_group(role: str) -> Group:
    """The group of a role given by its command-line name (`nurse`) or group name."""
    by_name = roles.ROLE_NAMES | {name.lower(): name for name in roles.ROLE_NAMES.values()}
    group_name = by_name.get(role.strip().lower())
    if group_name is None:
        known = ", ".join(roles.ROLE_NAMES)
        raise AccountError(f"Unknown role {role!r}. Choose one of: {known}.")
    group = Group.objects.filter(name=group_name).first()
    if group is None:
        raise AccountError(f"The group {group_name!r} is missing: run manage.py migrate first.")
    return group


def user_get(username: str) -> AbstractUser:
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise AccountError(f"There is no account named {username!r}.") from None


def _password_check(password: str, user: AbstractUser) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountError("Password refused: " + " ".join(error.messages)) from None


def _role_set(user: AbstractUser, group: Group) -> None:
    user.groups.remove(*Group.objects.filter(name__in=roles.ROLE_NAMES.values()))
    user.groups.add(group)
    user.is_staff = group.name in roles.STAFF_ROLES
    user.save(update_fields=["is_staff"])


def _log(event: str, user: AbstractUser, **fields) -> None:
    who = {"account_id": user.pk, "username": user.username, "os_user": getpass.getuser()}
    logger.info("%s: %s", event, user.username, extra=who | fields)


@transaction.atomic
def user_create(
    *, username: str, role: str, password: str, first_name: str = "", last_name: str = ""
) -> AbstractUser:
    """Create an active account with one role and a password that passes the validators."""
    User = get_user_model()
    group = role_group(role)
    if User.objects.filter(username=username).exists():
        raise AccountError(f"An account named {username!r} exists already.")
    user = User(username=username, first_name=first_name, last_name=last_name)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise AccountError(" ".join(error.messages)) from None
    _password_check(password, user)
    user.set_password(password)
    user.save()
    _role_set(user, group)
    _log("account created", user, role=group.name)
    return user


@transaction.atomic
def user_role_change(*, username: str, role: str) -> AbstractUser:
    """Give the account this role instead of the one it had (other groups are kept)."""
    user = user_get(username)
    group = role_group(role)
    _role_set(user, group)
    _log("role changed", user, role=group.name)
    return user


@transaction.atomic
def user_active_set(*, username: str, active: bool) -> AbstractUser:
    """Deactivate (or reactivate) an account. A deactivated account cannot log in, and its
    open sessions stop working at their next request; its records stay as they are."""
    user = user_get(username)
    user.is_active = active
    user.save(update_fields=["is_active"])
    _log("account reactivated" if active else "account deactivated", user)
    return user


@transaction.atomic
def user_password_reset(*, username: str, password: str) -> AbstractUser:
    """Set a new password that passes the validators (the old one stops working)."""
    user = user_get(username)
    _password_check(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _log("password reset", user)
    return user
