"""The Celery app and the ONE beat schedule of the project.

BEAT_SCHEDULE is the code's default for every periodic task. `manage.py sync_schedules` (run by
`make run` before beat starts, and by a deploy) copies it into django-celery-beat's tables, which
beat reads (DatabaseScheduler) and an administrator edits in the admin (周期任务) without a deploy:
an entry already in the database keeps the administrator's time and switch; the code adds new
entries and decides which task each runs.

It is deliberately not `app.conf.beat_schedule`: DatabaseScheduler writes that dict over the
database every time beat starts, which would undo the administrator's changes.

Reminders are periodic queries of what is due today, never tasks scheduled days ahead; each task
records its occasions with a unique key, so a second run (or a second beat by mistake) sends nothing.
"""

import datetime
import logging
import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings
from django.db import DatabaseError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tianjin_towns.settings")
logger = logging.getLogger(__name__)

app = Celery("tianjin_towns")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Options of every task that reads or writes the database or sends mail: a lost connection or a
# refusing mail server is retried with exponential back-off (5 s, 10 s, 20 s … at most 10 minutes).
RETRYING = {
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}

# Options of a task that is safe to run twice (its writes are one transaction keyed by a unique occasion,
# or it restarts its job from the beginning): when the worker process running it dies (SIGKILL, the
# kernel's OOM killer, a restarted container) it runs again instead of being dropped as "failed".
# Every task acknowledges its message only once it has run (CELERY_TASK_ACKS_LATE); by default Celery
# still acknowledges the message of a task whose process was lost. retry_on_worker_lost sends it again as
# a counted retry (max_retries, default_retry_delay), so a task that kills its worker every time stops
# after a few runs instead of looping; reject_on_worker_lost puts the message back if that retry cannot
# be sent. Not for the e-mail tasks: a batch cut short may already have gone out, and their sweep resends
# what is still unsent anyway.
SAFE_TO_RUN_TWICE = {"acks_late": True, "reject_on_worker_lost": True, "retry_on_worker_lost": True}


def _request_connection():
    """A broker connection for one publish from a page or API call: every socket operation gives up after
    REQUEST_PUBLISH_TIMEOUT and nothing is retried (kombu would retry connecting, for seconds). A Redis that
    accepts connections but does not answer (stopped, swapping) would otherwise hold the request for the
    worker's socket timeout. Opened per publish: connecting on loopback costs about a millisecond."""
    timeout = settings.REQUEST_PUBLISH_TIMEOUT
    return app.connection_for_write(
        connect_timeout=timeout,
        transport_options={"socket_connect_timeout": timeout, "socket_timeout": timeout, "max_retries": 0},
    )


def enqueue_from_request(task, *args) -> bool:
    """Queue `task` for a page or API call that must not fail or wait when the broker is down or hung: one
    try within REQUEST_PUBLISH_TIMEOUT and no result (the result backend would retry for 20 s). False when
    it could not be queued; the caller falls back (the notification sweep, a direct export)."""
    try:
        with _request_connection() as connection:
            task.apply_async(args=args, retry=False, ignore_result=True, connection=connection)
    except Exception as error:  # kombu's OperationalError and the redis errors under it
        logger.warning("broker unreachable: %s not queued (%s)", task.name, error)
        return False
    return True


def task_day(text: str | None) -> datetime.date:
    """Tasks take their day as ISO text (JSON-safe; tests pass a fixed one); None means today in Shanghai."""
    from tianjin_towns.lib import dates

    return datetime.date.fromisoformat(text) if text else dates.today()


# A reminder queued while no worker runs is dropped after this long; the next day's run catches up.
DAILY = {"expire_seconds": 6 * 3600}

# name (shown to the administrator) → task, default time (Asia/Shanghai), what it does.
BEAT_SCHEDULE: dict[str, dict] = {
    "月报：开始填报与即将截止提醒": {
        "task": "ledgers.tasks.remind_reports_due",
        "schedule": crontab(minute=30, hour=8),
        "options": DAILY,
        "description": "工作日上午提醒信息员：上月月报开始填报；截止日前一个工作日提醒尚未报送的小镇。",
    },
    "月报：迟报提醒": {
        "task": "ledgers.tasks.remind_reports_late",
        "schedule": crontab(minute=35, hour=8),
        "options": DAILY,
        "description": "截止日后的第一个工作日，通知信息员、主管领导和市特镇办：哪些小镇的月报迟报。",
    },
    "月报：关闭后标记漏报": {
        "task": "ledgers.tasks.close_missing_reports",
        "schedule": crontab(minute=40, hour=8),
        "options": DAILY,
        "description": "关闭日之后把仍未报送的月报标记为漏报，并通知信息员、主管领导和市特镇办。",
    },
    "数据核对：未核对提醒": {
        "task": "ledgers.tasks.remind_figure_checks",
        "schedule": crontab(minute=45, hour=8),
        "options": DAILY,
        "description": "月报验收满10天后，提醒仍有未核对数据的成员单位联络员（每个单位、指标、月份一次）。",
    },
    "会议：到期未召开提醒": {
        "task": "coordination.tasks.remind_meetings",
        "schedule": crontab(minute=0, hour=9),
        "options": DAILY,
        "description": "每月规定日期（默认20日）后区例会、现场推动会仍未召开；季度最后一个月联席会议、现场督办仍未开展。",
    },
    "督办事项：即将到期与逾期提醒": {
        "task": "coordination.tasks.remind_action_items",
        "schedule": crontab(minute=5, hour=9),
        "options": DAILY,
        "description": "督办事项3天内到期提醒责任单位；逾期后提醒责任单位、其主管领导和市特镇办。",
    },
    "督办问题：即将到期提醒": {
        "task": "inspections.tasks.remind_problems_due_soon",
        "schedule": crontab(minute=8, hour=9),
        "options": DAILY,
        "description": "工作日提醒责任单位：现场督办发现的问题3天内到整改期限（每个问题每个期限一次）。",
    },
    "督办问题：逾期督办": {
        "task": "inspections.tasks.escalate_overdue_problems",
        "schedule": crontab(minute=10, hour=9),
        "options": DAILY,
        "description": "现场督办发现的问题逾期未整改，逐级提醒责任单位领导和市特镇办（每个问题每级一次）。",
    },
    "自查自评：即将截止与逾期提醒": {
        "task": "assessments.tasks.remind_self_evaluations",
        "schedule": crontab(minute=15, hour=9),
        "options": DAILY,
        "description": "工作日提醒尚未提交的区和小镇信息员：月度、季度自评截止前3天内和逾期后（每个单位每期每种一次）。",
    },
    "考核：考核期结束，开展考核提醒": {
        "task": "assessments.tasks.remind_assessment_windows",
        "schedule": crontab(minute=20, hour=9),
        "options": DAILY,
        "description": "上半年、全年结束后的第一个工作日，提醒创建考核组开展半年考核、年度考核，并告知参加考核小镇的信息员和主管领导（每次考核一次）。",
    },
    "年度目标：时间过半任务过半预警": {
        "task": "assessments.tasks.check_target_lag",
        "schedule": crontab(minute=0, hour=10),
        "options": DAILY,
        "description": "每月27日（遇周末、节假日顺延至下一个工作日，且在上月月报关闭之后），标记年度目标完成进度落后于时间进度的小镇并通知（每镇每月一次）。",
    },
    "节假日日历检查": {
        "task": "coordination.tasks.check_holiday_calendar",
        "schedule": crontab(minute=0, hour=8),
        "options": DAILY,
        "description": "今后两个月涉及的年份如无节假日安排，通知系统管理员在“节假日与调休”中录入（每年一次）。",
    },
    "补发未发送的通知邮件": {
        "task": "coordination.tasks.email_pending_notifications",
        "schedule": crontab(minute="*/5"),
        "options": {"expire_seconds": 240},
        "description": "消息队列中断期间已保存但未发出的通知邮件，恢复后补发，每条只发一次。",
    },
    "导出任务：标记中断的导出为失败": {
        "task": "coordination.tasks.fail_stuck_exports",
        "schedule": crontab(minute="*/5"),
        "options": {"expire_seconds": 240},
        "description": "后台导出超过时限仍未完成（处理进程中断或任务丢失）的，标记为失败，申请人可在导出页面重新生成。",
    },
    "安全审计异常提示": {
        "task": "coordination.tasks.summarise_security_anomalies",
        "schedule": crontab(minute=30, hour=7),
        "options": DAILY,
        "description": "前一天安全审计中的异常（同一地址多次登录失败、非工作时间导出数据、授权后一分钟内即使用），通知安全审计员。",
    },
    "安全审计记录归档": {
        "task": "coordination.tasks.archive_security_audit",
        "schedule": crontab(minute=30, hour=3),
        "options": DAILY,
        "description": "超过保存期限（至少180天）的安全审计记录写入归档文件（媒体目录 security-audit-archive），核对无误后移出数据库。",
    },
    "清理过期导出文件": {
        "task": "coordination.tasks.purge_old_exports",
        "schedule": crontab(minute=0, hour=3),
        "options": DAILY,
        "description": "删除7天前生成的Excel导出文件。",
    },
}
