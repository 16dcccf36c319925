"""/api/v1/plans/ (API.md, R-1.6): plans submitted for review (报审), submitted → returned (with comments) →
resubmitted as the next version → approved; every version stays readable. While a version is under review
the planning group asks member units for their opinion (会签, `…/opinions/`), and approves without one
asked for only with `override_reason`. Views parse, pass the permission door and call one service;
serializers only parse and format."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tianjin_towns.lib.api import ListViewSet, parse_body, visible_in_body

from . import permissions as perms
from . import selectors, services
from .forms import check_upload
from .models import MemberUnit, Plan, PlanKind, PlanOpinion, PlanStatus, PlanVersion


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
            "override_reason",
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


class ApprovalSerializer(CommentsSerializer):
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=_("成员单位尚有意见未反馈时必填：未收齐意见即通过的理由"),
    )


class PlanOpinionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)
    member_unit_name = serializers.CharField(source="member_unit.name", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True, default=None)
    given_by = serializers.CharField(source="given_by.username", read_only=True, allow_null=True, default=None)
    late = serializers.BooleanField(source="is_late", read_only=True, help_text=_("反馈晚于反馈时限"))

    class Meta:
        model = PlanOpinion
        fields = [
            "id",
            "version",
            "member_unit",
            "member_unit_name",
            "due_on",
            "requested_at",
            "requested_by",
            "state",
            "text",
            "file_name",
            "given_at",
            "given_by",
            "late",
        ]
        read_only_fields = fields


class PlanOpinionRequestSerializer(serializers.Serializer):
    member_units = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=100, help_text=_("成员单位 id")
    )
    due_on = serializers.DateField(help_text=_("反馈时限"))


class PlanOpinionGiveSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[PlanOpinion.State.AGREED, PlanOpinion.State.CHANGES],
        help_text=_("agreed：同意；changes：修改意见（须填写 text）"),
    )
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    file = serializers.FileField(required=False, allow_null=True, default=None)

    def validate_file(self, file):
        try:
            check_upload(file)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return file


def _member_units_in_body(ids: list[int]) -> list[MemberUnit]:
    """The member units a body names by id: an unknown one is a 400 on `member_units`."""
    units = {unit.pk: unit for unit in MemberUnit.objects.filter(pk__in=ids)}
    unknown = [pk for pk in ids if pk not in units]
    if unknown:
        raise serializers.ValidationError(
            {"member_units": [_("成员单位不存在：%(ids)s。") % {"ids": "、".join(map(str, unknown))}]}
        )
    return [units[pk] for pk in dict.fromkeys(ids)]


class PlanFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PlanKind.choices, required=False)
    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False)
    org_unit = serializers.IntegerField(required=False, min_value=1, source="org_unit_id")


def _parsed_content(serializer_class, request):
    """The body's content serializer, validated (its content() splits the content from the sub-items)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


class PlanViewSet(ListViewSet):
    """Plans submitted for review (报审, R-1.6): submitted → returned (with comments) → resubmitted as the
    next version → approved. Every version stays readable."""

    serializer_class = PlanSerializer
    filter_serializer = PlanFilterSerializer
    door = staticmethod(perms.get_plan_for_user)
    subject = "plan"

    def filtered(self, query: dict):
        return selectors.plans_with_versions(selectors.plan_list(self.request.user, **query))

    def fresh(self, plan: Plan) -> Plan:
        return selectors.plan_with_versions(plan.pk)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request):
        serializer = _parsed_content(PlanCreateSerializer, request)
        data = serializer.validated_data
        unit = visible_in_body(
            perms.get_org_unit_for_user, request.user, data["org_unit"], perms.SUBMIT_PLANS, field="org_unit"
        )
        plan = services.plan_submit(
            actor=request.user,
            org_unit=unit,
            kind=data["kind"],
            title=data["title"],
            content=serializer.content(),
            sub_items=data["sub_items"],
        )
        return self.respond(plan, status.HTTP_201_CREATED)

    @extend_schema(request=PlanContentSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        """A returned plan comes back as the next version (409 unless returned)."""
        plan = perms.get_plan_for_user(request.user, pk, perms.SUBMIT_PLANS)
        serializer = _parsed_content(PlanContentSerializer, request)
        plan = services.plan_resubmit(
            actor=request.user,
            plan=plan,
            content=serializer.content(),
            sub_items=serializer.validated_data["sub_items"],
        )
        return self.respond(plan)

    @extend_schema(
        request=ApprovalSerializer,
        description="Approve the current version; while a member unit asked for its opinion has not given it, "
        "a 400 on `override_reason` naming the units unless the reason is given.",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.step(request, pk, perms.REVIEW_PLANS, services.plan_approve, ApprovalSerializer)

    @extend_schema(request=CommentsSerializer, description="Return with comments; empty comments are a 400.")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self.step(request, pk, perms.REVIEW_PLANS, services.plan_return, CommentsSerializer)

    @extend_schema(methods=["GET"], responses=PlanOpinionSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=PlanOpinionRequestSerializer,
        responses={201: PlanOpinionSerializer(many=True)},
        description="The planning group asks member units for their opinion on the version under review (409 "
        "unless under review); their liaisons are told.",
    )
    @action(detail=True, methods=["get", "post"])
    def opinions(self, request, pk=None):
        """The opinions asked of member units (会签) on every version, the newest version first."""
        if request.method == "GET":
            plan = perms.get_plan_for_user(request.user, pk)
            return Response(PlanOpinionSerializer(selectors.plan_opinions(plan), many=True).data)
        plan = perms.get_plan_for_user(request.user, pk, perms.REVIEW_PLANS)
        data = parse_body(PlanOpinionRequestSerializer, request)
        opinions = services.plan_opinions_request(
            actor=request.user,
            plan=plan,
            member_units=_member_units_in_body(data["member_units"]),
            due_on=data["due_on"],
        )
        return Response(PlanOpinionSerializer(opinions, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="v1_plans_opinions_give",
        request=PlanOpinionGiveSerializer,
        responses=PlanOpinionSerializer,
        description="The asked member unit's liaison gives its opinion (JSON, or multipart with `file`); after "
        "the due date too (`late`). 409 once given or once the version's review is over.",
    )
    @action(detail=True, methods=["post"], url_path=r"opinions/(?P<opinion_pk>\d+)", url_name="opinion")
    def opinion(self, request, pk=None, opinion_pk=None):
        opinion = perms.get_plan_opinion_for_user(request.user, pk, opinion_pk, giving=True)
        data = parse_body(PlanOpinionGiveSerializer, request)
        opinion = services.plan_opinion_give(
            actor=request.user,
            opinion=opinion,
            agrees=data["state"] == PlanOpinion.State.AGREED,
            text=data["text"],
            file=data["file"],
        )
        return Response(PlanOpinionSerializer(opinion).data)
