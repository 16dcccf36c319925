"""Models of the coordination app, one module per topic; import them from here."""

from .cadence import CadenceRule
from .calendar import CalendarDay
from .documents import DocumentKind, DocumentSequence, DocumentSeries, IssuedDocument
from .jobs import ExportJob
from .meetings import (
    ActionItem,
    ActionItemEvent,
    ActionItemStatus,
    Decision,
    Meeting,
    MeetingAttachment,
    MeetingEvent,
    MeetingKind,
    MeetingState,
)
from .notifications import Notification
from .org import (
    ADMIN_ROLES,
    PERSON_ROLES,
    MemberUnit,
    OrgUnit,
    OrgUnitNameChange,
    Role,
    SharedKind,
    Town,
    TownStatus,
    TownStatusChange,
    UnitPerm,
    UserProfile,
    WorkingGroup,
    responsible_unit_keys,
)
from .organisation import MemberUnitEvent, SubmissionRouteChange
from .people import PasswordHistory, UserRoleEvent
from .plans import Plan, PlanAttachment, PlanKind, PlanOpinion, PlanStatus, PlanSubItem, PlanVersion
from .security import SecurityEvent, SecurityEventKind
from .structure import JointConference, SubmissionKind, SubmissionRoute, SupportPolicy
from .tokens import ApiClient, ApiToken, PasswordResetMail
from .towns import TownEdit, TownListDecision

__all__ = [
    "ADMIN_ROLES",
    "PERSON_ROLES",
    "ApiClient",
    "SharedKind",
    "ActionItem",
    "ActionItemEvent",
    "ActionItemStatus",
    "ApiToken",
    "CadenceRule",
    "CalendarDay",
    "Decision",
    "DocumentKind",
    "DocumentSeries",
    "DocumentSequence",
    "IssuedDocument",
    "ExportJob",
    "JointConference",
    "Meeting",
    "MeetingAttachment",
    "MeetingEvent",
    "MeetingKind",
    "MeetingState",
    "MemberUnit",
    "MemberUnitEvent",
    "Notification",
    "OrgUnit",
    "OrgUnitNameChange",
    "PasswordResetMail",
    "Plan",
    "PlanAttachment",
    "PlanKind",
    "PlanOpinion",
    "PlanStatus",
    "PlanSubItem",
    "PlanVersion",
    "Role",
    "SubmissionKind",
    "SubmissionRoute",
    "SubmissionRouteChange",
    "SupportPolicy",
    "Town",
    "TownEdit",
    "TownListDecision",
    "UnitPerm",
    "TownStatus",
    "TownStatusChange",
    "UserProfile",
    "PasswordHistory",
    "SecurityEvent",
    "SecurityEventKind",
    "UserRoleEvent",
    "WorkingGroup",
    "responsible_unit_keys",
]
