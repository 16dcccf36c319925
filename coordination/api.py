"""REST API v1 for org units and towns (API.md): read-only lists scoped by the permission door. (Login and
API tokens: coordination.auth_api.)"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from tianjin_towns.lib import dates

from . import permissions as unit_perms
from . import selectors as coordination_selectors
from . import services as org_services
from .models import (
    ActionItem,
    ActionItemEvent,
    ActionItemStatus,
    Decision,
    Meeting,
    MeetingKind,
    MeetingState,
    MemberUnit,
    OrgUnit,
    Plan,
    PlanKind,
    PlanStatus,
    PlanVersion,
)
from .permissions import get_org_unit_for_user, org_units_for_user

# --- Query parameters -------------------------------------------------------------------------


class OrgUnitFilterSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=OrgUnit.Level.choices, required=False)


def parse_query(serializer_class, request) -> dict:
    """Validate query parameters with a serializer; a bad one is a 400 naming the parameter."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Org units --------------------------------------------------------------------------------


class OrgUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "level", "parent"]
        read_only_fields = fields


@extend_schema(tags=["org-units"])
class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """The org units the caller reaches: the municipality, districts and towns."""

    serializer_class = OrgUnitSerializer
    queryset = OrgUnit.objects.none()  # for the schema; requests use get_queryset
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        units = org_units_for_user(self.request.user).order_by("level", "order", "code")
        level = parse_query(OrgUnitFilterSerializer, self.request).get("level")
        return units.filter(level=level) if level else units

    @extend_schema(parameters=[OrgUnitFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(get_org_unit_for_user(request.user, pk)).data)


# --- Towns: coordination.town_api (registered in api_urls) ----------------------------------------


# ==================================================================================================
# Issue 4: meetings, action items, cadence and plans (API.md). Views parse, pass the permission door
# and call one service; serializers only parse and format.
# ==================================================================================================


def _visible_in_body(loader, user, pk, perm: str, field: str):
    """An object a POST names in its body: unseen → 400 on the field, seen without `perm` → 403."""
    try:
        return loader(user, pk, perm)
    except Http404:
        raise serializers.ValidationError({field: [_("对象不存在或无权访问。")]}) from None


def _last_day(end: datetime.date) -> datetime.date:
    return end - datetime.timedelta(days=1)


# --- Meetings -------------------------------------------------------------------------------------


class AttendeesSerializer(serializers.Serializer):
    units = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text=_("参会区和小镇的组织单位 id")
    )
    member_units = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text=_("参会成员单位 id")
    )
    people = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, help_text=_("参会人员，每项一人")
    )


class DecisionOutSerializer(serializers.ModelSerializer):
    action_items = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = ["id", "order", "text", "action_items"]
        read_only_fields = fields

    def get_action_items(self, decision: Decision) -> list[int]:
        return [item.pk for item in decision.action_items.all()]


class MeetingSerializer(serializers.ModelSerializer):
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    attendees = serializers.SerializerMethodField()
    decisions = DecisionOutSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "org_unit",
            "org_unit_name",
            "held_on",
            "title",
            "state",
            "place",
            "convener",
            "attendees",
            "agenda",
            "minutes",
            "decisions",
            "minutes_approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AttendeesSerializer)
    def get_attendees(self, meeting: Meeting) -> dict:
        return {
            "units": [unit.pk for unit in meeting.attendee_units.all()],
            "member_units": [unit.pk for unit in meeting.attendee_member_units.all()],
            "people": meeting.attendee_lines,
        }


class MeetingFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False)
    org_unit = serializers.IntegerField(required=False, min_value=1)
    state = serializers.ChoiceField(choices=MeetingState.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class DecisionInSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False)
    text = serializers.CharField(max_length=5000)


class MeetingCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    org_unit = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    held = serializers.BooleanField(default=False, help_text=_("会议已召开（补录）"))
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    convener = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    attendees = AttendeesSerializer(required=False)
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    decisions = serializers.ListField(child=serializers.CharField(max_length=5000), required=False, default=list)


class MeetingUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    held_on = serializers.DateField(required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    convener = serializers.CharField(max_length=100, required=False, allow_blank=True)
    attendees = AttendeesSerializer(required=False)
    agenda = serializers.CharField(required=False, allow_blank=True)
    minutes = serializers.CharField(required=False, allow_blank=True)
    decisions = DecisionInSerializer(
        many=True, required=False, help_text=_("完整的决定事项列表：带 id 的修改，不带的新增，缺少的删除")
    )


class HeldSerializer(serializers.Serializer):
    held_on = serializers.DateField(required=False)


def _attendee_objects(data: dict | None) -> tuple[list | None, list | None, str | None]:
    if data is None:
        return None, None, None
    units = list(OrgUnit.objects.filter(pk__in=data.get("units", [])).exclude(level=OrgUnit.Level.MUNICIPAL))
    if len(units) != len(set(data.get("units", []))):
        raise serializers.ValidationError({"attendees": {"units": [_("参会单位 id 无效。")]}})
    members = list(MemberUnit.objects.filter(pk__in=data.get("member_units", [])))
    if len(members) != len(set(data.get("member_units", []))):
        raise serializers.ValidationError({"attendees": {"member_units": [_("成员单位 id 无效。")]}})
    people = "\n".join(p.strip() for p in data["people"] if p.strip()) if "people" in data else None
    return units, members, people


def _meeting_prefetched(meetings):
    items = ActionItem.objects.only("pk", "decision_id")
    decisions = Decision.objects.order_by("order", "pk").prefetch_related(Prefetch("action_items", queryset=items))
    return meetings.prefetch_related(
        Prefetch("decisions", queryset=decisions),
        Prefetch("attendee_units", queryset=OrgUnit.objects.only("pk")),
        Prefetch("attendee_member_units", queryset=MemberUnit.objects.only("pk")),
    )


def _meeting_response(meeting: Meeting, status_code: int = 200) -> Response:
    meeting = _meeting_prefetched(Meeting.objects.select_related("org_unit").filter(pk=meeting.pk)).get()
    return Response(MeetingSerializer(meeting).data, status=status_code)


@extend_schema(tags=["meetings"])
class MeetingViewSet(viewsets.GenericViewSet):
    """Meetings and learning activities (R-2.1, R-4.1): planned → held → minutes_approved."""

    serializer_class = MeetingSerializer
    queryset = Meeting.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        query = parse_query(MeetingFilterSerializer, self.request)
        meetings = coordination_selectors.meeting_list(
            self.request.user,
            kind=query.get("kind"),
            org_unit_id=query.get("org_unit"),
            state=query.get("state"),
            year=query.get("year"),
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
        )
        return _meeting_prefetched(meetings)

    @extend_schema(parameters=[MeetingFilterSerializer])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return _meeting_response(unit_perms.get_meeting_for_user(request.user, pk))

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request):
        data = _parse(MeetingCreateSerializer, request)
        host = _visible_in_body(
            get_org_unit_for_user, request.user, data["org_unit"], unit_perms.MANAGE_MEETINGS, "org_unit"
        )
        units, members, people = _attendee_objects(data.get("attendees"))
        meeting = org_services.meeting_create(
            actor=request.user,
            org_unit=host,
            kind=data["kind"],
            title=data["title"],
            held_on=data["held_on"],
            held=data["held"],
            place=data["place"],
            convener=data["convener"],
            attendees=people or "",
            agenda=data["agenda"],
            minutes=data["minutes"],
            attendee_units=units or [],
            attendee_member_units=members or [],
            decisions=data["decisions"],
        )
        return _meeting_response(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, description="Edit until the minutes are approved (then 409).")
    def partial_update(self, request, pk=None):
        meeting = unit_perms.get_meeting_for_user(request.user, pk, unit_perms.MANAGE_MEETINGS)
        data = _parse(MeetingUpdateSerializer, request)
        units, members, people = _attendee_objects(data.pop("attendees", None))
        decisions = data.pop("decisions", None)
        if people is not None:
            data["attendees"] = people
        with transaction.atomic():
            meeting = org_services.meeting_update(
                actor=request.user, meeting=meeting, attendee_units=units, attendee_member_units=members, **data
            )
            if decisions is not None:
                org_services.meeting_set_decisions(actor=request.user, meeting=meeting, decisions=decisions)
        return _meeting_response(meeting)

    def destroy(self, request, pk=None):
        """Cancel a planned meeting (409 once held)."""
        meeting = unit_perms.get_meeting_for_user(request.user, pk, unit_perms.MANAGE_MEETINGS)
        org_services.meeting_delete(actor=request.user, meeting=meeting)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=HeldSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        """planned → held."""
        meeting = unit_perms.get_meeting_for_user(request.user, pk, unit_perms.MANAGE_MEETINGS)
        data = _parse(HeldSerializer, request)
        return _meeting_response(
            org_services.meeting_record_held(actor=request.user, meeting=meeting, held_on=data.get("held_on"))
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="approve-minutes")
    def approve_minutes(self, request, pk=None):
        """held → minutes_approved (the minutes are locked)."""
        meeting = unit_perms.get_meeting_for_user(request.user, pk, unit_perms.APPROVE_MINUTES)
        return _meeting_response(org_services.meeting_approve_minutes(actor=request.user, meeting=meeting))


def _parse(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Action items ---------------------------------------------------------------------------------


class ActionItemSourceSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    meeting_title = serializers.CharField()
    held_on = serializers.DateField()
    decision = serializers.IntegerField()
    decision_text = serializers.CharField()


class ActionItemSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()
    responsible_name = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "title",
            "source",
            "responsible_unit",
            "responsible_member_unit",
            "responsible_name",
            "owner",
            "due_on",
            "status",
            "overdue",
            "resolution",
            "created_at",
            "done_at",
            "verified_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ActionItemSourceSerializer)
    def get_source(self, item: ActionItem) -> dict:
        return {
            "meeting": item.meeting_id,
            "meeting_title": item.meeting.title,
            "held_on": item.meeting.held_on.isoformat(),
            "decision": item.decision_id,
            "decision_text": item.decision.text,
        }

    def get_overdue(self, item: ActionItem) -> bool:
        return item.is_overdue_on(self.context.get("today") or dates.today())


class ActionItemFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionItemStatus.choices, required=False)
    responsible_unit = serializers.IntegerField(required=False, min_value=1, help_text=_("区或小镇（含其下小镇）"))
    responsible_member_unit = serializers.IntegerField(required=False, min_value=1)
    overdue = serializers.BooleanField(required=False, default=False)
    meeting = serializers.IntegerField(required=False, min_value=1)


class ActionItemCreateSerializer(serializers.Serializer):
    decision = serializers.IntegerField()
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    responsible_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    responsible_member_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    owner = serializers.CharField(max_length=100)
    due_on = serializers.DateField()


class ProgressSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    done = serializers.BooleanField(required=False, default=False, help_text=_("true：报告办结（须填写 resolution）"))
    resolution = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    evidence = serializers.FileField(required=False, allow_null=True, default=None)


class ActionItemNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ActionItemRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)  # a string (a list is a 400), not blank


class ActionItemEventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ActionItemEvent
        fields = ["at", "user", "action", "from_status", "to_status", "note", "evidence_name"]
        read_only_fields = fields


def _item_response(item: ActionItem, status_code: int = 200) -> Response:
    item = ActionItem.objects.select_related("meeting", "decision", "responsible_unit", "responsible_member_unit").get(
        pk=item.pk
    )
    return Response(ActionItemSerializer(item).data, status=status_code)


@extend_schema(tags=["action-items"])
class ActionItemViewSet(viewsets.GenericViewSet):
    """Action items (督办事项, R-2.2): open → in_progress → done → verified; the office may reject `done`."""

    serializer_class = ActionItemSerializer
    queryset = ActionItem.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        query = parse_query(ActionItemFilterSerializer, self.request)
        unit = None
        if query.get("responsible_unit"):
            unit = f"u{query['responsible_unit']}"
        elif query.get("responsible_member_unit"):
            unit = f"m{query['responsible_member_unit']}"
        return coordination_selectors.action_item_list(
            self.request.user,
            status=query.get("status"),
            unit=unit,
            overdue=query.get("overdue", False),
            meeting_id=query.get("meeting"),
        ).select_related("decision")

    @extend_schema(parameters=[ActionItemFilterSerializer])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        context = {"today": dates.today()}
        return self.get_paginated_response(ActionItemSerializer(page, many=True, context=context).data)

    def retrieve(self, request, pk=None):
        return _item_response(unit_perms.get_action_item_for_user(request.user, pk))

    @extend_schema(request=ActionItemCreateSerializer, responses={201: ActionItemSerializer})
    def create(self, request):
        data = _parse(ActionItemCreateSerializer, request)
        decision = Decision.objects.select_related("meeting").filter(pk=data["decision"]).first()
        if decision is None or not unit_perms.meetings_for_user(request.user).filter(pk=decision.meeting_id).exists():
            raise serializers.ValidationError({"decision": [_("决定事项不存在或无权访问。")]})
        if not unit_perms.user_has_unit_perm(request.user, decision.meeting.org_unit_id, unit_perms.MANAGE_MEETINGS):
            raise PermissionDenied
        unit = member_unit = None
        if data["responsible_unit"] is not None:
            unit = OrgUnit.objects.filter(pk=data["responsible_unit"]).first()
            if unit is None:
                raise serializers.ValidationError({"responsible_unit": [_("责任单位不存在。")]})
        if data["responsible_member_unit"] is not None:
            member_unit = MemberUnit.objects.filter(pk=data["responsible_member_unit"]).first()
            if member_unit is None:
                raise serializers.ValidationError({"responsible_member_unit": [_("成员单位不存在。")]})
        item = org_services.action_item_create(
            actor=request.user,
            decision=decision,
            title=data["title"],
            owner=data["owner"],
            due_on=data["due_on"],
            responsible_unit=unit,
            responsible_member_unit=member_unit,
        )
        return _item_response(item, status.HTTP_201_CREATED)

    @extend_schema(request=ProgressSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """The responsible unit reports progress (→ in_progress) or done with a resolution (→ done)."""
        item = unit_perms.get_action_item_for_user(request.user, pk, unit_perms.HANDLE_ACTION_ITEMS)
        data = _parse(ProgressSerializer, request)
        return _item_response(org_services.action_item_report_progress(actor=request.user, item=item, **data))

    @extend_schema(request=ActionItemNoteSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """The office verifies a done item (→ verified)."""
        item = unit_perms.get_action_item_for_user(request.user, pk, unit_perms.VERIFY_ACTION_ITEMS)
        data = _parse(ActionItemNoteSerializer, request)
        return _item_response(org_services.action_item_verify(actor=request.user, item=item, note=data["note"]))

    @extend_schema(request=ActionItemRejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The office does not accept the resolution (done → in_progress); an empty reason is a 400."""
        item = unit_perms.get_action_item_for_user(request.user, pk, unit_perms.VERIFY_ACTION_ITEMS)
        data = _parse(ActionItemRejectSerializer, request)
        return _item_response(org_services.action_item_reject(actor=request.user, item=item, reason=data["reason"]))

    @extend_schema(responses=ActionItemEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        item = unit_perms.get_action_item_for_user(request.user, pk)
        events = ActionItemEvent.objects.filter(item=item).select_related("actor").order_by("at", "pk")
        return Response(ActionItemEventSerializer(events, many=True).data)


# --- Cadence (R-2.4) ------------------------------------------------------------------------------


class CadenceQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class CadenceCellSerializer(serializers.Serializer):
    org_unit = serializers.IntegerField(source="org_unit.pk")
    org_unit_name = serializers.CharField(source="org_unit.name")
    rule = serializers.IntegerField(source="rule.pk")
    kind = serializers.CharField(source="rule.kind")
    level = serializers.CharField(source="rule.level")
    period_type = serializers.CharField(source="rule.period", help_text="month | quarter | year")
    period = serializers.CharField(source="period_label", help_text="2026-03 | 2026-Q1 | 2026")
    period_start = serializers.DateField()
    period_end = serializers.SerializerMethodField(help_text=_("周期最后一天"))
    required_min = serializers.IntegerField()
    required_max = serializers.IntegerField(allow_null=True)
    held = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["ok", "short", "over", "pending"])

    def get_period_end(self, cell) -> datetime.date:
        return _last_day(cell.period_end)


@extend_schema(tags=["cadence"])
class CadenceView(APIView):
    """Per org unit, rule and period of the year: required_min/max, held, state (ok/short/over/pending)."""

    @extend_schema(parameters=[CadenceQuerySerializer], responses=CadenceCellSerializer(many=True))
    def get(self, request):
        year = parse_query(CadenceQuerySerializer, request).get("year") or dates.today().year
        unit_ids = list(
            org_units_for_user(request.user)
            .filter(level__in=[OrgUnit.Level.MUNICIPAL, OrgUnit.Level.DISTRICT])
            .values_list("pk", flat=True)
        )
        cells = coordination_selectors.cadence_matrix(year, unit_ids=unit_ids)
        return Response(CadenceCellSerializer(cells, many=True).data)


# --- Plans (R-1.6) --------------------------------------------------------------------------------


class PlanSubItemSerializer(serializers.Serializer):
    order = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    responsible_unit = serializers.CharField(max_length=100, help_text=_("主管单位"))


class PlanVersionSerializer(serializers.ModelSerializer):
    sub_items = PlanSubItemSerializer(many=True, read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True, default=None)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, allow_null=True, default=None)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = [
            "number",
            "scope",
            "sites",
            "positioning",
            "layout",
            "path",
            "note",
            "sub_items",
            "attachments",
            "submitted_at",
            "submitted_by",
            "review",
            "review_comments",
            "reviewed_at",
            "reviewed_by",
        ]
        read_only_fields = fields

    def get_attachments(self, version: PlanVersion) -> list[dict]:
        return [{"id": a.pk, "name": a.name} for a in version.attachments.all()]


class PlanSerializer(serializers.ModelSerializer):
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    versions = PlanVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "org_unit",
            "org_unit_name",
            "kind",
            "title",
            "status",
            "current_version",
            "created_at",
            "updated_at",
            "versions",
        ]
        read_only_fields = fields


class PlanContentSerializer(serializers.Serializer):
    scope = serializers.CharField(max_length=5000, help_text=_("规划范围"))
    sites = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    positioning = serializers.CharField(max_length=5000, help_text=_("发展定位"))
    layout = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    path = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    sub_items = PlanSubItemSerializer(many=True, required=False, default=list)

    def content(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k != "sub_items"}


class PlanCreateSerializer(PlanContentSerializer):
    org_unit = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    title = serializers.CharField(max_length=200)

    def content(self) -> dict:
        return {k: v for k, v in self.validated_data.items() if k not in ("sub_items", "org_unit", "kind", "title")}


class CommentsSerializer(serializers.Serializer):
    comments = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class PlanFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PlanKind.choices, required=False)
    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False)
    org_unit = serializers.IntegerField(required=False, min_value=1)


def _plan_prefetched(plans):
    versions = PlanVersion.objects.select_related("submitted_by", "reviewed_by").prefetch_related(
        "sub_items", "attachments"
    )
    return plans.prefetch_related(Prefetch("versions", queryset=versions.order_by("number")))


def _plan_response(plan: Plan, status_code: int = 200) -> Response:
    plan = _plan_prefetched(Plan.objects.select_related("org_unit").filter(pk=plan.pk)).get()
    return Response(PlanSerializer(plan).data, status=status_code)


def _parsed_content(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


@extend_schema(tags=["plans"])
class PlanViewSet(viewsets.GenericViewSet):
    """Plans submitted for review (报审, R-1.6): submitted → returned (with comments) → resubmitted as the
    next version → approved. Every version stays readable."""

    serializer_class = PlanSerializer
    queryset = Plan.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        query = parse_query(PlanFilterSerializer, self.request)
        plans = coordination_selectors.plan_list(
            self.request.user, kind=query.get("kind"), status=query.get("status"), org_unit_id=query.get("org_unit")
        )
        return _plan_prefetched(plans)

    @extend_schema(parameters=[PlanFilterSerializer])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return _plan_response(unit_perms.get_plan_for_user(request.user, pk))

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request):
        serializer = _parsed_content(PlanCreateSerializer, request)
        data = serializer.validated_data
        unit = _visible_in_body(
            get_org_unit_for_user, request.user, data["org_unit"], unit_perms.SUBMIT_PLANS, "org_unit"
        )
        plan = org_services.plan_submit(
            actor=request.user,
            org_unit=unit,
            kind=data["kind"],
            title=data["title"],
            content=serializer.content(),
            sub_items=data["sub_items"],
        )
        return _plan_response(plan, status.HTTP_201_CREATED)

    @extend_schema(request=PlanContentSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        """A returned plan comes back as the next version (409 unless returned)."""
        plan = unit_perms.get_plan_for_user(request.user, pk, unit_perms.SUBMIT_PLANS)
        serializer = _parsed_content(PlanContentSerializer, request)
        plan = org_services.plan_resubmit(
            actor=request.user,
            plan=plan,
            content=serializer.content(),
            sub_items=serializer.validated_data["sub_items"],
        )
        return _plan_response(plan)

    @extend_schema(request=CommentsSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = unit_perms.get_plan_for_user(request.user, pk, unit_perms.REVIEW_PLANS)
        data = _parse(CommentsSerializer, request)
        return _plan_response(org_services.plan_approve(actor=request.user, plan=plan, comments=data["comments"]))

    @extend_schema(request=CommentsSerializer, description="Return with comments; empty comments are a 400.")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        plan = unit_perms.get_plan_for_user(request.user, pk, unit_perms.REVIEW_PLANS)
        data = _parse(CommentsSerializer, request)
        return _plan_response(org_services.plan_return(actor=request.user, plan=plan, comments=data["comments"]))
