"""Models of the coordination app, one module per topic; import them from here."""

from .notifications import Notification
from .org import (
    MemberUnit,
    OrgUnit,
    OrgUnitNameChange,
    Role,
    Town,
    TownStatus,
    TownStatusChange,
    UserProfile,
    WorkingGroup,
)

__all__ = [
    "MemberUnit",
    "Notification",
    "OrgUnit",
    "OrgUnitNameChange",
    "Role",
    "Town",
    "TownStatus",
    "TownStatusChange",
    "UserProfile",
    "WorkingGroup",
]
