"""All writes of the coordination app, one module per kind of work:

    grants.py        who is granted what: the role and routing tables (R-1.5)
    organisation.py  member units, and routing work to the office's working groups (R-1.4, R-1.5)
    people.py        accounts, their one role and unit (R-1.7)      tokens.py  API tokens, password mails
    towns.py         towns and their lifecycle (R-1.1, R-1.2)       reference.py  the reference data load
    meetings.py      meetings, their decisions and minutes (R-2.1)  action_items.py  督办事项 (R-2.2)
    plans.py         plans for review (R-1.6)                       policies.py  support policies (R-1.4)
    jobs.py          background exports (R-3.7)                     clients.py  API clients of the data-sharing feed
    documents.py     official documents issued: numbers and files kept (issue 20)

Notifications (notify, their e-mails) are coordination.notifications: the services, the tasks and the
reminders of every app use it (the services through `common.notify_about`, which links to the object's
page). Every public name is re-exported here, so callers write
`from coordination import services as org; org.meeting_create(...)` whichever module holds it.
"""

from ..notifications import (  # noqa: F401 (re-exported: org.notify …)
    NOTIFICATION_EMAIL_MAX_AGE,
    notification_mark_read,
    notifications_email,
    notify,
)
from .action_items import (  # noqa: F401 (re-exported: org.action_item_create …)
    action_item_assignable,
    action_item_create,
    action_item_handlers,
    action_item_reject,
    action_item_report_progress,
    action_item_verifiers,
    action_item_verify,
)
from .clients import (  # noqa: F401 (re-exported: org.api_client_create …)
    TOKEN_DAYS,
    api_client_create,
    api_client_deactivate,
    api_client_token_issue,
    api_client_token_revoke,
)
from .common import notify_about  # noqa: F401 (re-exported: org.notify_about …)
from .documents import (  # noqa: F401 (re-exported)
    document_issue,
    meeting_minutes_issue,
    minutes_not_issuable,
    minutes_source,
)
from .grants import (  # noqa: F401 (re-exported: org.submission_routes …)
    ALL_UNIT_PERMS,
    DEFAULT_ROUTES,
    ROLE_UNIT_PERMS,
    ROUTE_PERMS,
    submission_routes,
    working_group_perms,
)
from .jobs import (  # noqa: F401 (re-exported: org.export_job_create …)
    EXPORT_KEEP_DAYS,
    export_job_create,
    export_job_fail,
    export_job_failed_notify,
    export_job_finish,
    export_job_progress,
    export_job_start,
    export_jobs_fail_stuck,
    export_jobs_purge,
)
from .meetings import (  # noqa: F401 (re-exported: org.meeting_create …)
    MEETING_TEXT_FIELDS,
    decision_add,
    decision_delete,
    decision_update,
    meeting_approve_minutes,
    meeting_attach,
    meeting_create,
    meeting_delete,
    meeting_record_held,
    meeting_set_decisions,
    meeting_update,
)
from .organisation import (  # noqa: F401 (re-exported: org.member_unit_create …)
    member_unit_create,
    member_unit_reactivate,
    member_unit_retire,
    member_unit_update,
    office_sync_grants,
    submission_route_change,
    submission_route_set,
    submission_routes_update,
)
from .people import (  # noqa: F401 (re-exported: org.user_create …)
    Assignment,
    assignment_of,
    grants_sync,
    user_assign_role,
    user_change,
    user_create,
    user_deactivate,
    user_password_changed,
    user_reactivate,
    user_reset_password,
    user_unlock,
    user_update,
    users_import,
)
from .plans import (  # noqa: F401 (re-exported: org.plan_submit …)
    PLAN_CONTENT_FIELDS,
    plan_approve,
    plan_opinion_give,
    plan_opinions_request,
    plan_resubmit,
    plan_return,
    plan_submit,
)
from .policies import POLICY_FIELDS, policy_create, policy_update  # noqa: F401 (re-exported: org.policy_create …)
from .towns import (  # noqa: F401 (re-exported: org.town_create …)
    INITIAL_STATUSES,
    LEVEL_AFTER_DOWNGRADE,
    TOWN_FIELDS,
    TOWN_TRANSITIONS,
    TownTransitionRefused,
    org_unit_rename,
    town_change_status,
    town_create,
    town_list_decide,
    town_next_statuses,
    town_transition_refusal,
    town_update,
)
