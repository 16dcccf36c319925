"""Who reads a person's phone number and e-mail address in full (等保 2.0 个人信息保护, issue 22): the person
themself, a superuser and the system and security administrators, who keep the accounts. Everybody else (office
members, leaders, officers, liaisons, the audit administrator) reads them masked (tianjin_towns.lib.masking) in
every list, page, print and API answer. The forms that edit them show them to whoever may edit them.

The rule reads the viewer's profile once (a request's user has it loaded or caches it at the first row) and
compares the person by primary key, so a list costs no query per row.
"""

from django.contrib.auth.models import AbstractBaseUser

from tianjin_towns.lib.masking import mask_email, mask_phone

from .models import Role, UserProfile

# The administrative roles that keep the accounts and so read contact details in full; not 安全审计员.
CONTACT_ROLES = (Role.ADMIN, Role.SECURITY)


def _user_pk(person) -> int | None:
    """The user id of `person`: a user, a profile (its user_id, no query) or None (a contact who is no user)."""
    if person is None:
        return None
    if isinstance(person, UserProfile):
        return person.user_id
    return person.pk


def sees_contact_details(viewer: AbstractBaseUser | None, person) -> bool:
    """Whether `viewer` reads the phone and e-mail of `person` (a user, their profile, or None for a contact who
    is no user, whom only the administrators read) in full."""
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return False
    if viewer.is_superuser:
        return True
    person_pk = _user_pk(person)
    if person_pk is not None and person_pk == viewer.pk:
        return True
    profile = getattr(viewer, "profile", None)  # None for a user without one (cached by Django either way)
    return profile is not None and profile.role in CONTACT_ROLES


def contact_phone(viewer: AbstractBaseUser | None, person, phone: str | None) -> str:
    """`phone` as `viewer` reads it: in full, or masked."""
    return (phone or "") if sees_contact_details(viewer, person) else mask_phone(phone)


def contact_email(viewer: AbstractBaseUser | None, person, email: str | None) -> str:
    """`email` as `viewer` reads it: in full, or masked."""
    return (email or "") if sees_contact_details(viewer, person) else mask_email(email)
