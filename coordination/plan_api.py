"""/api/v1/plans/ (API.md, R-1.6): plans submitted for review (报审), submitted → returned (with comments) →
resubmitted as the next version → approved; every version stays readable. Views parse, pass the
permission door and call one service; serializers only parse and format."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action

from tianjin_towns.lib.api import ListViewSet, visible_in_body

from . import permissions as perms
from . import selectors, services
from .models import Plan, PlanKind, PlanStatus, PlanVersion


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

    @extend_schema(request=CommentsSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.step(request, pk, perms.REVIEW_PLANS, services.plan_approve, CommentsSerializer)

    @extend_schema(request=CommentsSerializer, description="Return with comments; empty comments are a 400.")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self.step(request, pk, perms.REVIEW_PLANS, services.plan_return, CommentsSerializer)
