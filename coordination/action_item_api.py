"""/api/v1/action-items/ (API.md, R-2.2): action items (督办事项), open → in_progress → done → verified; the
office may reject `done`. Views parse, pass the permission door and call one service; serializers only
parse and format."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tianjin_towns.lib import dates
from tianjin_towns.lib.api import EVENT_FIELDS, EventSerializer, ListViewSet, optional_text, parse_body, visible_in_body

from . import action_item_selectors, organisation_selectors, services
from . import permissions as perms
from .models import ActionItem, ActionItemEvent, ActionItemStatus, MemberUnit, OrgUnit


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
    done = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "true：报告办结（须填写 resolution，并以 multipart 上传 evidence，除非此前的进展报告已附佐证材料；"
            "确无材料的，须在 no_evidence_reason 中说明理由）"
        ),
    )
    resolution = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    evidence = serializers.FileField(required=False, allow_null=True, default=None)
    no_evidence_reason = optional_text(
        help_text=_("无佐证材料的说明：报告办结而没有佐证材料时必填，市特镇办据此核验时决定是否免交或退回")
    )


class ActionItemVerifySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    evidence_waiver = optional_text(help_text=_("免交佐证材料的理由：核验没有佐证材料的事项时必填"))


class ActionItemRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)  # a string (a list is a 400), not blank


class ActionItemEventSerializer(EventSerializer):
    class Meta:
        model = ActionItemEvent
        fields = [*EVENT_FIELDS, "resolution", "evidence_name", "no_evidence_reason"]
        read_only_fields = fields


def _responsible_in_body(data: dict) -> tuple[OrgUnit | None, MemberUnit | None]:
    """The responsible unit or member unit a new item names by id: an unknown one is a 400 on its field."""
    unit = member_unit = None
    if data["responsible_unit"] is not None:
        unit = organisation_selectors.org_unit_named(data["responsible_unit"])
        if unit is None:
            raise serializers.ValidationError({"responsible_unit": [_("责任单位不存在。")]})
    if data["responsible_member_unit"] is not None:
        member_unit = organisation_selectors.member_unit_named(data["responsible_member_unit"])
        if member_unit is None:
            raise serializers.ValidationError({"responsible_member_unit": [_("成员单位不存在。")]})
    return unit, member_unit


class ActionItemViewSet(ListViewSet):
    """Action items (督办事项, R-2.2): open → in_progress → done → verified; the office may reject `done`."""

    serializer_class = ActionItemSerializer
    filter_serializer = ActionItemFilterSerializer
    door = staticmethod(perms.get_action_item_for_user)
    subject = "item"

    def filtered(self, query: dict):
        unit = None
        if query.get("responsible_unit"):
            unit = f"u{query['responsible_unit']}"
        elif query.get("responsible_member_unit"):
            unit = f"m{query['responsible_member_unit']}"
        items = action_item_selectors.action_item_list(
            self.request.user,
            status=query.get("status"),
            unit=unit,
            overdue=query.get("overdue", False),
            meeting_id=query.get("meeting"),
        )
        return action_item_selectors.action_items_with_source(items)

    def fresh(self, item: ActionItem) -> ActionItem:
        return action_item_selectors.action_item_with_source(item.pk)

    @extend_schema(request=ActionItemCreateSerializer, responses={201: ActionItemSerializer})
    def create(self, request):
        data = parse_body(ActionItemCreateSerializer, request)
        decision = visible_in_body(
            perms.get_decision_for_user,
            request.user,
            data["decision"],
            perms.MANAGE_MEETINGS,
            field="decision",
            message=_("决定事项不存在或无权访问。"),
        )
        unit, member_unit = _responsible_in_body(data)
        item = services.action_item_create(
            actor=request.user,
            decision=decision,
            title=data["title"],
            owner=data["owner"],
            due_on=data["due_on"],
            responsible_unit=unit,
            responsible_member_unit=member_unit,
        )
        return self.respond(item, status.HTTP_201_CREATED)

    @extend_schema(request=ProgressSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """The responsible unit reports progress (→ in_progress) or done with a resolution (→ done)."""
        return self.step(
            request, pk, perms.HANDLE_ACTION_ITEMS, services.action_item_report_progress, ProgressSerializer
        )

    @extend_schema(request=ActionItemVerifySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """The office verifies a done item (→ verified); one without evidence (the done report's `no_evidence_reason`
        in its history) needs `evidence_waiver` (else 400)."""
        return self.step(
            request, pk, perms.VERIFY_ACTION_ITEMS, services.action_item_verify, ActionItemVerifySerializer
        )

    @extend_schema(request=ActionItemRejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The office does not accept the resolution (done → in_progress); an empty reason is a 400."""
        return self.step(
            request, pk, perms.VERIFY_ACTION_ITEMS, services.action_item_reject, ActionItemRejectSerializer
        )

    @extend_schema(responses=ActionItemEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        item = perms.get_action_item_for_user(request.user, pk)
        return Response(ActionItemEventSerializer(action_item_selectors.action_item_events(item), many=True).data)
