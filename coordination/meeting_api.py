"""/api/v1/meetings/ (API.md, R-2.1, R-4.1): meetings and learning activities, planned → held →
minutes_approved, with their attendees and decisions. Views parse, pass the permission door and call one
service; serializers only parse and format."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tianjin_towns.lib.api import ListViewSet, parse_body, visible_in_body

from . import organisation_selectors, selectors, services
from . import permissions as perms
from .models import Decision, Meeting, MeetingKind, MeetingState


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
    org_unit = serializers.IntegerField(required=False, min_value=1, source="org_unit_id")
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
    """The attendees a body names: (org units, member units, people one a line); an unknown id is a 400."""
    if data is None:
        return None, None, None
    units = organisation_selectors.districts_and_towns_named(data.get("units", []))
    if len(units) != len(set(data.get("units", []))):
        raise serializers.ValidationError({"attendees": {"units": [_("参会单位 id 无效。")]}})
    members = organisation_selectors.member_units_named(data.get("member_units", []))
    if len(members) != len(set(data.get("member_units", []))):
        raise serializers.ValidationError({"attendees": {"member_units": [_("成员单位 id 无效。")]}})
    people = "\n".join(p.strip() for p in data["people"] if p.strip()) if "people" in data else None
    return units, members, people


class MeetingViewSet(ListViewSet):
    """Meetings and learning activities (R-2.1, R-4.1): planned → held → minutes_approved."""

    serializer_class = MeetingSerializer
    filter_serializer = MeetingFilterSerializer
    door = staticmethod(perms.get_meeting_for_user)
    subject = "meeting"

    def filtered(self, query: dict):
        return selectors.meetings_with_decisions(selectors.meeting_list(self.request.user, **query))

    def fresh(self, meeting: Meeting) -> Meeting:
        return selectors.meeting_with_decisions(meeting.pk)

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingSerializer})
    def create(self, request):
        data = dict(parse_body(MeetingCreateSerializer, request))
        host = visible_in_body(
            perms.get_org_unit_for_user, request.user, data.pop("org_unit"), perms.MANAGE_MEETINGS, field="org_unit"
        )
        units, members, people = _attendee_objects(data.pop("attendees", None))
        meeting = services.meeting_create(
            actor=request.user,
            org_unit=host,
            attendees=people or "",
            attendee_units=units or [],
            attendee_member_units=members or [],
            **data,  # the other fields are named as the service's arguments
        )
        return self.respond(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, description="Edit until the minutes are approved (then 409).")
    def partial_update(self, request, pk=None):
        meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
        data = parse_body(MeetingUpdateSerializer, request)
        units, members, people = _attendee_objects(data.pop("attendees", None))
        if people is not None:
            data["attendees"] = people
        meeting = services.meeting_update(
            actor=request.user, meeting=meeting, attendee_units=units, attendee_member_units=members, **data
        )
        return self.respond(meeting)

    def destroy(self, request, pk=None):
        """Cancel a planned meeting (409 once held)."""
        meeting = perms.get_meeting_for_user(request.user, pk, perms.MANAGE_MEETINGS)
        services.meeting_delete(actor=request.user, meeting=meeting)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=HeldSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        """planned → held."""
        return self.step(request, pk, perms.MANAGE_MEETINGS, services.meeting_record_held, HeldSerializer)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="approve-minutes")
    def approve_minutes(self, request, pk=None):
        """held → minutes_approved (the minutes are locked)."""
        return self.step(request, pk, perms.APPROVE_MINUTES, services.meeting_approve_minutes)
