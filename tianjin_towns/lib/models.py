"""What the apps' models share besides the audit trail's base (`events.Event`): how a row names the user
who did something to it, when it was created and changed, who took a step of its workflow and when, an
event's move from one status to another, and the record of an uploaded file.

Field helpers and abstract bases only, with no table or column of their own: a model that uses them keeps
its columns exactly, and one whose older column differs redefines that field (as `Event` explains).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def acting_user(verbose_name=None, *, null: bool = True, blank: bool = False) -> models.ForeignKey:
    """The user who did something to the row: created, submitted, approved, uploaded it…

    PROTECT, as accounts are deactivated and never deleted, so that a record keeps its author; no reverse
    accessor ("+"). `null` where the system may act on its own or the step may not have happened yet,
    `blank` where a form leaves it empty until the step happens.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=null,
        blank=blank,
        on_delete=models.PROTECT,
        related_name="+",
    )


def timestamps(created_label=_("创建时间")) -> tuple[models.DateTimeField, models.DateTimeField]:
    """`created_at, updated_at = timestamps(…)`: when the row was created, labelled as the table says it
    (登记时间, 录入时间…), and when it last changed."""
    return (
        models.DateTimeField(created_label, auto_now_add=True),
        models.DateTimeField(_("更新时间"), auto_now=True),
    )


def step_taken(time_label, *, user_first: bool = False) -> tuple[models.Field, models.Field]:
    """`submitted_at, submitted_by = step_taken(_("报送时间"))`: when a step of the row's workflow was taken
    (submitted, approved, verified, published, revoked…) and by whom; both empty until it is.

    The columns come in the order the table lists them: time then user, or with `user_first`, user then
    time (`reviewed_by, reviewed_at = step_taken(…, user_first=True)`).
    """
    # A model lists its fields in the order they are created.
    if user_first:
        user = acting_user(blank=True)
        return user, models.DateTimeField(time_label, null=True, blank=True)
    time = models.DateTimeField(time_label, null=True, blank=True)
    return time, acting_user(blank=True)


def status_change(choices, *, max_length: int, always: bool = False) -> tuple[models.CharField, models.CharField]:
    """`from_status, to_status = status_change(…)`: the statuses an event moved its subject between.

    The first event of a subject has no earlier status. `always` where every event moves the status;
    otherwise the events that only record something (an edit, a piece of evidence) leave both blank.
    """
    return (
        models.CharField(_("原状态"), max_length=max_length, choices=choices, blank=True),
        models.CharField(_("新状态"), max_length=max_length, choices=choices, blank=not always),
    )


def random_file_name(folder: str, filename: str) -> str:
    """Where an upload is stored: a random name with the upload's extension, in `folder`. The name the user
    gave (which may hold anything) is kept in the row, never used as a path."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"{folder}/{uuid.uuid4().hex}.{suffix}"


class UploadedFile(models.Model):
    """The record of an uploaded file, downloaded through a permission check: the name it came with, its
    type and size, who uploaded it and when. The concrete model adds its subject and `file`, stored under
    its own path."""

    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = acting_user(null=False)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
