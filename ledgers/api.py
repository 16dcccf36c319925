"""REST API v1 for the indicator catalogue, monthly reports and their workflow, projects and the ledger export.

Views parse input, pass through the permission door and call one service; serializers only parse and format.
"""

import io
from decimal import Decimal

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.permissions import get_town_for_user, reads_shared_only
from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.api import ListViewSet, described, parse_body, parse_query, visible_in_body

from . import exports, selectors, services
from .models import Indicator, MonthlyReport, Project, ProjectProgress, ReportStatus
from .permissions import (
    ACCEPT,
    APPROVE,
    EDIT,
    MANAGE_PROJECTS,
    RETURN,
    get_ledger_scope_for_user,
    get_monthly_report_for_user,
    get_project_for_user,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def as_number(value: Decimal | None) -> int | float | None:
    """A stored figure as a JSON number: 800 rather than 800.00, 1200.5 as is."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class PeriodField(serializers.CharField):
    """'YYYY-MM' in and out; the internal value is the month's first day."""

    default_error_messages = {"invalid": _("月份格式应为 YYYY-MM，例如 2026-03。")}

    def to_internal_value(self, data):
        try:
            return dates.parse_period(super().to_internal_value(data))
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value):
        return dates.format_period(value)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "number", "nullable": True},
        "example": {"fixed_asset_investment": 1200.5, "new_enterprises": 3},
    }
)
class FiguresField(serializers.DictField):
    """Indicator code → number (null clears a figure). The service checks codes and numbers, naming each field."""


# The town a row belongs to, as every row of a town's figures shows it (reports, projects, targets); a
# model serializer lists the ones it shows. (A comment: the schema shows a serializer's docstring.)
class TownColumns(serializers.Serializer):
    town = serializers.IntegerField(source="town_id", read_only=True)
    town_name = serializers.CharField(source="town.unit.name", read_only=True)
    district = serializers.IntegerField(source="town.district_id", read_only=True)


# --- Indicators -------------------------------------------------------------------------------


class MonthField(PeriodField):
    """A catalogue month ('YYYY-MM') that may be empty (null = always)."""

    def to_representation(self, value):
        return dates.format_period(value) if value else None


class IndicatorSerializer(serializers.ModelSerializer):
    active_from = MonthField(read_only=True, allow_null=True, help_text=_("首个适用月份；null 表示一直适用"))
    active_to = MonthField(read_only=True, allow_null=True, help_text=_("最后适用月份；null 表示一直适用"))

    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "kind", "active_from", "active_to"]
        read_only_fields = fields


@extend_schema(tags=["indicators"])
class IndicatorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The active indicator catalogue in catalogue order (SPEC §7)."""

    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.filter(active=True).order_by("order", "code")


# --- Monthly reports --------------------------------------------------------------------------


class MonthlyReportSerializer(TownColumns, serializers.ModelSerializer):
    period = PeriodField(read_only=True)
    values = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "town",
            "town_name",
            "district",
            "period",
            "status",
            "values",
            "submitted_at",
            "timeliness",
            "due_on",
            "return_reason",
        ]
        read_only_fields = fields
        extra_kwargs = {"due_on": {"source": "deadline"}}  # the month's current rule until judged (deadlines.py)

    @extend_schema_field(FiguresField)
    def get_values(self, report: MonthlyReport) -> dict:
        # Reads the prefetched rows (selectors.report_values_prefetch), so a page costs no query per report;
        # only the indicators that apply in the report's month (active_from/active_to).
        return {
            row.indicator.code: as_number(row.value)
            for row in report.values.all()
            if row.indicator.applies_in(report.period)
        }


class ReportFilterSerializer(serializers.Serializer):
    period = PeriodField(required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    district = serializers.IntegerField(required=False, min_value=1, source="district_id")
    town = serializers.IntegerField(required=False, min_value=1, source="town_id")
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)


class ProgressInputSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    investment_month = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    physical_progress = serializers.CharField(required=False, allow_blank=True, max_length=200)
    problems = serializers.CharField(required=False, allow_blank=True)


class MonthlyReportCreateSerializer(serializers.Serializer):
    town = serializers.IntegerField()
    period = PeriodField()
    values = FiguresField(required=False)


class MonthlyReportUpdateSerializer(serializers.Serializer):
    values = FiguresField(required=False)
    progress = ProgressInputSerializer(many=True, required=False)
    explanations = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        help_text=_("指标代码 → 对异常提示的说明（软规则标记的数字报送前必须说明或上传原始记录）"),
    )


class AcceptSerializer(serializers.Serializer):
    waivers = serializers.DictField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=dict,
        help_text=_(
            "异常提示编号（或规则代码、指标代码）→ 豁免理由：区里未说明的每条待核实异常提示，验收时须逐条填写；"
            "没有待核实的异常提示时可不传请求体"
        ),
    )


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class TrailEntrySerializer(serializers.Serializer):
    """One entry of the report's trail (selectors.TrailEntry), in the same shape as a workflow event."""

    at = serializers.DateTimeField(read_only=True)
    user = serializers.SerializerMethodField()
    user_name = serializers.SerializerMethodField()
    action = serializers.CharField(read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    changes = serializers.JSONField(read_only=True)

    def get_user(self, entry) -> str | None:
        return entry.actor.get_username() if entry.actor else None

    def get_user_name(self, entry) -> str:
        if entry.actor is None:
            return ""
        profile = getattr(entry.actor, "profile", None)
        return (profile.full_name if profile else "") or entry.actor.get_full_name() or entry.actor.get_username()


def _visible_town_with_perm(user, town_id: int, perm: str):
    """The town a POST names: unseen → 400 on the field (the body is not a URL), seen without `perm` → 403."""
    return visible_in_body(get_town_for_user, user, town_id, perm, field="town", message=_("小镇不存在或无权访问。"))


def report_with_values(report: MonthlyReport) -> MonthlyReport:
    """The report with the figures its serializer shows."""
    prefetch_related_objects([report], selectors.report_values_prefetch())
    return report


class MonthlyReportViewSet(ListViewSet):
    """A town's monthly statistics and their workflow: draft → submitted → district_approved → accepted, or returned."""

    serializer_class = MonthlyReportSerializer
    filter_serializer = ReportFilterSerializer
    door = staticmethod(get_monthly_report_for_user)
    subject = "report"

    def filtered(self, query: dict):
        reports = selectors.monthly_report_list(self.request.user, **query)
        return reports.prefetch_related(selectors.report_values_prefetch())

    def fresh(self, report: MonthlyReport) -> MonthlyReport:
        return report_with_values(report)

    @extend_schema(
        request=MonthlyReportCreateSerializer,
        responses={201: MonthlyReportSerializer},
        description="Open the town's report for an ended month, with figures if given; nothing is created if a figure is invalid.",
    )
    def create(self, request):
        data = parse_body(MonthlyReportCreateSerializer, request)
        town = _visible_town_with_perm(request.user, data["town"], EDIT)
        report = services.monthly_report_create(
            actor=request.user, town=town, period=data["period"], values=data.get("values")
        )
        return self.respond(report, status.HTTP_201_CREATED)

    @extend_schema(
        request=MonthlyReportUpdateSerializer,
        description="Save figures and project progress of a draft or returned report (409 once submitted).",
    )
    def partial_update(self, request, pk=None):
        report = get_monthly_report_for_user(request.user, pk, EDIT)
        data = parse_body(MonthlyReportUpdateSerializer, request)
        report = services.monthly_report_save(
            actor=request.user,
            report=report,
            values=data.get("values", {}),
            progress=data.get("progress"),
            explanations=data.get("explanations"),
        )
        return self.respond(report)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.step(request, pk, EDIT, services.monthly_report_submit)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.step(request, pk, APPROVE, services.monthly_report_approve)

    @extend_schema(
        request=AcceptSerializer,
        description="Accept a district-approved report. Each open flag the district did not explain needs a "
        "waiver with a reason; without one the answer is 409 naming the flags.",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.step(request, pk, ACCEPT, services.monthly_report_accept, AcceptSerializer)

    @extend_schema(request=ReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self.step(request, pk, RETURN, services.monthly_report_return, ReturnSerializer)

    @extend_schema(responses=TrailEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every change: the workflow's events and, as `direct_change`, changes made around it (admin, bulk, SQL)."""
        report = get_monthly_report_for_user(request.user, pk)
        return Response(TrailEntrySerializer(selectors.report_trail(report), many=True).data)


# --- Projects ---------------------------------------------------------------------------------


def _money(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False, **kwargs)


class ProjectProgressSerializer(serializers.ModelSerializer):
    report = serializers.IntegerField(source="report_id", read_only=True)
    period = PeriodField(source="report.period", read_only=True)
    investment_month = _money(read_only=True)
    investment_year = _money(read_only=True)
    investment_total = _money(read_only=True)
    share_of_annual = serializers.DecimalField(
        max_digits=8, decimal_places=1, coerce_to_string=False, read_only=True, allow_null=True
    )
    # The plan the month is measured against: as frozen when it was accepted, the current one while open.
    total_investment = _money(source="plan_total", read_only=True, allow_null=True)
    annual_plan = _money(source="plan_annual", read_only=True, allow_null=True)
    plan_frozen = serializers.BooleanField(read_only=True)

    class Meta:
        model = ProjectProgress
        fields = [
            "report",
            "period",
            "investment_month",
            "investment_year",
            "investment_total",
            "total_investment",
            "annual_plan",
            "plan_frozen",
            "share_of_annual",
            "physical_progress",
            "problems",
        ]
        read_only_fields = fields


class YearPlanSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, allow_null=True)


class YearPlanOutSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True)
    amount = _money(read_only=True)


class ProjectSerializer(TownColumns, serializers.ModelSerializer):
    total_investment = _money(read_only=True)
    annual_investment = _money(read_only=True, allow_null=True, help_text=_("本年度计划投资（year_plans 中本年的数）"))
    year_plans = YearPlanOutSerializer(many=True, read_only=True)
    land_mu = serializers.DecimalField(
        max_digits=10, decimal_places=2, coerce_to_string=False, read_only=True, allow_null=True
    )
    progress = ProjectProgressSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        # The project's identity, its fields as the services name them, its plans and its months.
        fields = [
            "id",
            "town",
            "town_name",
            "code",
            *services.PROJECT_FIELDS,
            "annual_investment",
            "year_plans",
            "progress",
        ]
        read_only_fields = fields


class ProjectUpdateSerializer(serializers.Serializer):
    """The editable fields of a project (services.PROJECT_FIELDS); the model's clean() checks the rest.

    `year_plans` sets the plans of the years listed (an amount of null removes that year's plan);
    `annual_investment` is a shorthand for this year's plan."""

    name = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Project.Category.choices)
    content = serializers.CharField(allow_blank=True, required=False, max_length=2000)
    owner = serializers.CharField(allow_blank=True, required=False, max_length=200)
    total_investment = serializers.DecimalField(max_digits=14, decimal_places=2)
    annual_investment = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    year_plans = YearPlanSerializer(many=True, required=False)
    status = serializers.ChoiceField(choices=Project.Status.choices, required=False)
    planned_start = serializers.DateField(allow_null=True, required=False)
    planned_finish = serializers.DateField(allow_null=True, required=False)
    actual_start = serializers.DateField(allow_null=True, required=False)
    actual_finish = serializers.DateField(allow_null=True, required=False)
    land_mu = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True, required=False)


class ProjectCreateSerializer(ProjectUpdateSerializer):
    town = serializers.IntegerField()
    code = serializers.CharField(max_length=40)


class ProjectFilterSerializer(serializers.Serializer):
    district = serializers.IntegerField(required=False, min_value=1, source="district_id")
    town = serializers.IntegerField(required=False, min_value=1, source="town_id")
    status = serializers.ChoiceField(choices=Project.Status.choices, required=False)
    category = serializers.ChoiceField(choices=Project.Category.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class ProjectViewSet(ListViewSet):
    """Project ledger rows (identity across months) with their monthly progress."""

    serializer_class = ProjectSerializer
    filter_serializer = ProjectFilterSerializer
    selector = staticmethod(selectors.project_list)
    door = staticmethod(get_project_for_user)

    def fresh(self, project: Project) -> Project:
        project = Project.objects.select_related("town__unit").get(pk=project.pk)  # fresh plans after a change
        shared_only = reads_shared_only(self.request.user)  # a liaison: the accepted months only
        prefetch_related_objects([project], *selectors.project_prefetches(accepted_only=shared_only))
        return project

    @extend_schema(request=ProjectCreateSerializer, responses={201: ProjectSerializer})
    def create(self, request):
        fields = dict(parse_body(ProjectCreateSerializer, request))
        town = _visible_town_with_perm(request.user, fields.pop("town"), MANAGE_PROJECTS)
        project = services.project_create(actor=request.user, town=town, **fields)
        return self.respond(project, status.HTTP_201_CREATED)

    @extend_schema(request=ProjectUpdateSerializer)
    def partial_update(self, request, pk=None):
        project = get_project_for_user(request.user, pk, MANAGE_PROJECTS)
        fields = parse_body(ProjectUpdateSerializer, request, partial=True)
        project = services.project_update(actor=request.user, project=project, **fields)
        return self.respond(project)


# --- Ledger export ----------------------------------------------------------------------------


class ExportQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    district = serializers.IntegerField(required=False, min_value=1)
    town = serializers.IntegerField(required=False, min_value=1)


class XlsxRenderer(renderers.BaseRenderer):
    """Lets a client ask for the workbook with `Accept: <xlsx>`; error bodies stay JSON."""

    media_type = XLSX
    format = "xlsx"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return renderers.JSONRenderer().render(data)


def _export_scope(user, *, district_id: int | None, town_id: int | None) -> str:
    """The scope named in the file name: the town, the district, or what the caller reaches."""
    scope = get_ledger_scope_for_user(user, district_id=district_id, town_id=town_id)
    if scope is not None:
        return scope.name
    districts = selectors.district_names_in_scope(user, limit=2)
    if len(districts) == 1:
        return districts[0]
    return str(_("天津市"))


class LedgerExportView(APIView):
    """The year's ledger workbook (.xlsx) for the caller's scope, or one district or town of it."""

    renderer_classes = [renderers.JSONRenderer, XlsxRenderer]

    @extend_schema(
        tags=["ledgers"],
        parameters=[ExportQuerySerializer],
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("台账工作簿")),
            **described(
                {(400, "application/json"): _("参数错误"), (404, "application/json"): _("区或小镇不存在或无权访问")}
            ),
        },
    )
    def get(self, request):
        query = parse_query(ExportQuerySerializer, request)
        district_id, town_id, year = query.get("district"), query.get("town"), query["year"]
        scope = _export_scope(request.user, district_id=district_id, town_id=town_id)
        contents = selectors.ledger_contents(request.user, district_id=district_id, town_id=town_id)
        output = io.BytesIO()
        exports.write_ledger_workbook(output, year=year, **contents)
        return downloads.attachment(
            output.getvalue(),
            content_type=XLSX,
            filename=exports.ledger_export_filename(year=year, scope=scope),
            target=exports.ledger_export_target(year=year, scope=scope),
        )
