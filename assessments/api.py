"""REST API v1 for annual targets and assessment runs (API.md): `/targets/`, `/assessments/`,
`/assessments/{id}/results/`. Views parse input, pass through the doors in permissions.py and call
one service or selector; serializers only parse and format."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ledgers.api import TownColumns, as_number
from tianjin_towns.lib.api import ListViewSet, parse_body, parse_query, visible_in_body

from . import selectors, services
from .models import Band, Grade, Run, RunKind, Sanction, Target
from .permissions import (
    EDIT,
    PUBLISH,
    VIEW,
    check_access,
    get_run_for_user,
    get_run_town_for_user,
    get_scheme_for_user,
    get_target_for_user,
    get_target_town_for_user,
)

TOWN_UNSEEN = _("小镇不存在或无权访问。")


# --- Targets ----------------------------------------------------------------------------------


class TargetSerializer(TownColumns, serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)
    value = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False, read_only=True)

    class Meta:
        model = Target
        fields = ["id", "town", "town_name", "district", "year", "indicator", "indicator_name", "unit", "value", "note"]
        read_only_fields = fields


class TargetFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    district = serializers.IntegerField(required=False, min_value=1, source="district_id")
    town = serializers.IntegerField(required=False, min_value=1, source="town_id")
    indicator = serializers.CharField(required=False)


class TargetInputSerializer(serializers.Serializer):
    town = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    indicator = serializers.CharField()
    value = serializers.DecimalField(max_digits=16, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class CompletionSerializer(serializers.Serializer):
    town = serializers.IntegerField(source="town_id")
    town_name = serializers.CharField()
    district = serializers.IntegerField(source="district_id")
    indicator = serializers.CharField()
    target = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)
    actual = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)
    completion = serializers.DecimalField(max_digits=8, decimal_places=1, coerce_to_string=False)
    elapsed = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False)
    expected = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False)
    lagging = serializers.BooleanField()


class CompletionQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    district = serializers.IntegerField(required=False, min_value=1)


class TargetViewSet(ListViewSet):
    """Annual targets (年度计划) per town and indicator; 创建考核组 sets them."""

    serializer_class = TargetSerializer
    filter_serializer = TargetFilterSerializer
    selector = staticmethod(selectors.target_list)
    door = staticmethod(get_target_for_user)

    @extend_schema(
        request=TargetInputSerializer,
        responses={201: TargetSerializer, 200: TargetSerializer},
        description="Set a town's target for a year and indicator: 201 when new, 200 when it replaced one.",
    )
    def create(self, request):
        data = parse_body(TargetInputSerializer, request)
        town = visible_in_body(
            get_target_town_for_user, request.user, data["town"], EDIT, field="town", message=TOWN_UNSEEN
        )
        indicator = selectors.indicators_by_code().get(data["indicator"])
        if indicator is None:
            raise ValidationError({"indicator": [_("未知的统计指标：%(code)s") % {"code": data["indicator"]}]})
        target, created = services.target_set(
            actor=request.user,
            town=town,
            year=data["year"],
            indicator=indicator,
            value=data["value"],
            note=data["note"],
        )
        return self.respond(
            selectors.target_with_related(target.pk), status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(parameters=[CompletionQuerySerializer], responses=CompletionSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def completion(self, request):
        """Per town and indicator: target, accepted actual year to date, completion, elapsed share, lagging."""
        query = parse_query(CompletionQuerySerializer, request)
        towns = selectors.visible_town_ids(request.user)
        rows = selectors.target_completion(query["year"], town_ids=towns)
        if query.get("district"):
            rows = [r for r in rows if r.district_id == query["district"]]
        return Response(CompletionSerializer(rows, many=True).data)


# --- Assessment runs ----------------------------------------------------------------------------


class RunSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="scheme.year", read_only=True)
    scheme = serializers.IntegerField(source="scheme_id", read_only=True)
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    period_start = serializers.DateField(source="start", read_only=True)
    period_end = serializers.DateField(source="end", read_only=True)

    class Meta:
        model = Run
        fields = [
            "id",
            "kind",
            "year",
            "title",
            "status",
            "scheme",
            "scheme_name",
            "period_start",
            "period_end",
            "published_at",
        ]
        read_only_fields = fields


class RunFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    kind = serializers.ChoiceField(choices=RunKind.choices, required=False)


class RunCreateSerializer(serializers.Serializer):
    scheme = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RunKind.choices)
    title = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class DecisionSerializer(serializers.Serializer):
    town = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=Sanction.choices)
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    decided_on = serializers.DateField(required=False)


ITEM_FIELDS_SCHEMA = inline_serializer(
    "ScoreItem",
    many=True,
    fields={
        "item_id": serializers.IntegerField(),
        "name": serializers.CharField(),
        "kind": serializers.CharField(),
        "weight": serializers.CharField(),
        "rule": serializers.CharField(),
        "applicable": serializers.BooleanField(),
        "earned": serializers.CharField(),
        "rate": serializers.CharField(allow_null=True),
        "figures": serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
        "sources": serializers.ListField(child=serializers.DictField()),
        "note": serializers.CharField(),
    },
)
SANCTION_SCHEMA = inline_serializer(
    "ResultSanction",
    allow_null=True,
    fields={
        "proposed": serializers.ChoiceField(choices=Sanction.choices),
        "reason": serializers.CharField(),
        "decided": serializers.ChoiceField(choices=Sanction.choices, allow_null=True),
        "decision_reason": serializers.CharField(),
        "decided_on": serializers.DateField(allow_null=True),
    },
)


class ResultSerializer(serializers.Serializer):
    """One town's result: score and rank; grade (annual) or band (semi-annual); sanction; item-by-item breakdown."""

    town = serializers.IntegerField(source="town_id")
    town_name = serializers.CharField()
    district = serializers.IntegerField(source="district_id")
    district_name = serializers.CharField()
    score = serializers.SerializerMethodField()
    rank = serializers.IntegerField()
    district_rank = serializers.IntegerField()
    grade = serializers.SerializerMethodField()
    band = serializers.SerializerMethodField()
    plan_met = serializers.BooleanField(allow_null=True)
    reward = serializers.BooleanField()
    sanction = serializers.SerializerMethodField()
    breakdown = serializers.SerializerMethodField()

    def get_score(self, row) -> float:
        return as_number(Decimal(row.score))

    @extend_schema_field(serializers.ChoiceField(choices=Grade.choices, allow_null=True))
    def get_grade(self, row) -> str | None:
        return row.grade or None

    @extend_schema_field(serializers.ChoiceField(choices=Band.choices, allow_null=True))
    def get_band(self, row) -> str | None:
        return row.band or None

    @extend_schema_field(SANCTION_SCHEMA)
    def get_sanction(self, row) -> dict | None:
        if not row.sanction_proposed:
            return None
        return {
            "proposed": row.sanction_proposed,
            "reason": row.proposal_reason,
            "decided": row.sanction_decided or None,
            "decision_reason": row.decision_reason,
            "decided_on": row.decided_on.isoformat() if row.decided_on else None,
        }

    @extend_schema_field(ITEM_FIELDS_SCHEMA)
    def get_breakdown(self, row) -> list:
        return row.items


class RunViewSet(ListViewSet):
    """Semi-annual and annual assessment runs. Drafts are computed afresh and seen by the office only;
    a published run is frozen."""

    serializer_class = RunSerializer
    filter_serializer = RunFilterSerializer
    selector = staticmethod(selectors.run_list)
    door = staticmethod(get_run_for_user)

    @extend_schema(request=RunCreateSerializer, responses={201: RunSerializer})
    def create(self, request):
        check_access(request.user, EDIT, results=True)
        data = parse_body(RunCreateSerializer, request)
        # The scheme a new run follows: one the caller does not see is a 400 on `scheme`.
        scheme = visible_in_body(
            get_scheme_for_user, request.user, data["scheme"], VIEW, field="scheme", message=_("考核方案不存在。")
        )
        run = services.run_create(actor=request.user, scheme=scheme, kind=data["kind"], title=data["title"])
        return self.respond(selectors.run_with_scheme(run.pk), status.HTTP_201_CREATED)

    @extend_schema(responses=ResultSerializer(many=True))
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Every town the caller sees, in rank order (ranks are city-wide)."""
        run = get_run_for_user(request.user, pk, VIEW)
        return Response(ResultSerializer(selectors.run_results(run, request.user), many=True).data)

    @extend_schema(request=None, responses=RunSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """The office freezes the run: 409 when already published, 400 when not ready (scores missing, period open)."""
        run = get_run_for_user(request.user, pk, PUBLISH)
        run = services.run_publish(actor=request.user, run=run)
        return self.respond(selectors.run_with_scheme(run.pk))

    @extend_schema(request=DecisionSerializer, responses=ResultSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The office confirms or overrides a proposed sanction; a sanction changes the town's status."""
        run = get_run_for_user(request.user, pk, PUBLISH)
        data = parse_body(DecisionSerializer, request)
        town = visible_in_body(
            get_run_town_for_user, request.user, run, data["town"], PUBLISH, field="town", message=TOWN_UNSEEN
        )
        services.run_decide_sanction(
            actor=request.user,
            run=run,
            town=town,
            decision=data["decision"],
            reason=data["reason"],
            decided_on=data.get("decided_on"),
        )
        row = selectors.run_result_for_town(run, request.user, town.pk)
        return Response(ResultSerializer(row).data)
