"""REST API v1 for data quality (issue 3, API.md): corrections of accepted reports (reopen), flags and
evidence, the Excel import, the office's audit search and the gaps (查漏补缺).

Views parse input, pass through a permission door and call one service or selector.
"""

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.models import OrgUnit
from coordination.permissions import get_org_unit_for_user, get_town_for_user
from tianjin_towns.lib import dates
from tianjin_towns.lib.api import described, parse_body, parse_query, run_service

from . import imports, selectors, services
from .api import MonthlyReportSerializer, PeriodField, as_number, report_with_values
from .imports import ImportRejected
from .models import DataFlag, Evidence, Indicator, ReopenRequest
from .permissions import (
    ACCEPT,
    EDIT,
    REVIEW,
    check_audit_access,
    get_district_for_user,
    get_monthly_report_for_user,
    get_report_flag_for_user,
)

AUDIT_PAGE_SIZE = 50


def _person(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (profile.full_name if profile else "") or user.get_username()


# --- Corrections of accepted reports (reopen) --------------------------------------------------------


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=2000)


class ReopenRequestSerializer(serializers.ModelSerializer):
    report = serializers.IntegerField(source="report_id", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)

    class Meta:
        model = ReopenRequest
        fields = ["id", "report", "status", "reason", "requested_by", "requested_at", "decided_at", "decision_note"]
        read_only_fields = fields


def _correction_step(request, pk: int, perm: str, service, body):
    """A step of a correction: the report through its door with `perm`, then `service` with the body's fields."""
    report = get_monthly_report_for_user(request.user, pk, perm)
    return run_service(service, request, body, report=report)


class ReopenView(APIView):
    """The filer asks the office to reopen an accepted report for a correction (409 unless accepted)."""

    @extend_schema(tags=["monthly-reports"], request=ReasonSerializer, responses={201: ReopenRequestSerializer})
    def post(self, request, pk: int):
        reopen = _correction_step(request, pk, EDIT, services.monthly_report_reopen_request, ReasonSerializer)
        return Response(ReopenRequestSerializer(reopen).data, status=status.HTTP_201_CREATED)


class ReopenApproveView(APIView):
    """The office approves the pending request: the report goes back to the filer (`returned`), and the
    accepted version is kept for comparison."""

    @extend_schema(tags=["monthly-reports"], request=NoteSerializer, responses=MonthlyReportSerializer)
    def post(self, request, pk: int):
        report = _correction_step(request, pk, ACCEPT, services.monthly_report_reopen_approve, NoteSerializer)
        return Response(MonthlyReportSerializer(report_with_values(report)).data)


class ReopenRejectView(APIView):
    """The office refuses the pending request, with a reason; the report stays accepted."""

    @extend_schema(tags=["monthly-reports"], request=ReasonSerializer, responses={200: ReopenRequestSerializer})
    def post(self, request, pk: int):
        reopen = _correction_step(request, pk, ACCEPT, services.monthly_report_reopen_reject, ReasonSerializer)
        return Response(ReopenRequestSerializer(reopen).data)


# --- Flags and evidence ------------------------------------------------------------------------------


class FlagSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    value = serializers.SerializerMethodField()
    resolved_by = serializers.CharField(source="resolved_by.username", allow_null=True, read_only=True, default=None)

    class Meta:
        model = DataFlag
        fields = [
            "id",
            "indicator",
            "value",
            "message",
            "explanation",
            "status",
            "resolved_by",
            "resolved_at",
            "resolution_note",
        ]
        read_only_fields = fields

    def get_value(self, flag: DataFlag) -> float | int | None:
        return as_number(flag.value)


class FlagsView(APIView):
    """The report's figures flagged by the soft rules, with the filer's explanations."""

    @extend_schema(tags=["monthly-reports"], responses=FlagSerializer(many=True))
    def get(self, request, pk: int):
        report = get_monthly_report_for_user(request.user, pk)
        return Response(FlagSerializer(selectors.report_flags(report), many=True).data)


class FlagResolveView(APIView):
    """A reviewer confirms a flagged figure (核实无误) after reading the explanation."""

    @extend_schema(tags=["monthly-reports"], request=NoteSerializer, responses=FlagSerializer)
    def post(self, request, pk: int, flag_id: int):
        flag = get_report_flag_for_user(request.user, pk, flag_id, REVIEW)
        return Response(
            FlagSerializer(run_service(services.data_flag_resolve, request, NoteSerializer, flag=flag)).data
        )


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    indicator = serializers.SlugRelatedField(
        slug_field="code", queryset=Indicator.objects.filter(active=True), required=False, allow_null=True
    )
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=200)


class EvidenceSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", allow_null=True, read_only=True, default=None)

    class Meta:
        model = Evidence
        fields = ["id", "indicator", "name", "content_type", "size", "note", "uploaded_at"]
        read_only_fields = fields


class EvidenceView(APIView):
    """Attach an evidence file (原始记录: PDF, JPG, PNG, .docx, .xlsx) to a draft or returned report."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(tags=["monthly-reports"], request=EvidenceUploadSerializer, responses={201: EvidenceSerializer})
    def post(self, request, pk: int):
        report = get_monthly_report_for_user(request.user, pk, EDIT)
        data = parse_body(EvidenceUploadSerializer, request)
        evidence = services.report_evidence_add(
            actor=request.user, report=report, file=data["file"], indicator=data.get("indicator"), note=data["note"]
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


# --- Excel import --------------------------------------------------------------------------------------


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    period = PeriodField()
    district = serializers.IntegerField(min_value=1)


class ImportView(APIView):
    """A month's figures of a district from the ledger export template: every row saved, or none.

    A refused file answers 400 with `errors`: one `{sheet, row, column, message}` per problem.
    """

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=["ledgers"],
        request={"multipart/form-data": ImportSerializer},
        responses=described({200: _("导入的月报和数字个数"), 400: _("errors：每个问题的工作表、行、列和说明")}),
    )
    def post(self, request):
        data = parse_body(ImportSerializer, request)
        district = get_org_unit_for_user(request.user, data["district"], EDIT)
        if district.level != OrgUnit.Level.DISTRICT:
            raise ValidationError({"district": [_("请选择一个区。")]})
        upload = data["file"]
        try:
            imports.check_size(upload.size)
            summary = services.monthly_reports_import(
                actor=request.user, district=district, period=data["period"], data=upload.read(), filename=upload.name
            )
        except ImportRejected as rejected:
            return Response(
                {
                    "detail": _("文件未导入：发现 %(n)s 处问题，请修改后重新导入。") % {"n": len(rejected.problems)},
                    "errors": [problem.as_dict() for problem in rejected.problems],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {
                "imported": len(summary.reports),
                "created": summary.created,
                "figures": summary.figures,
                "reports": [{"id": r.pk, "town": r.town_id, "status": r.status} for r in summary.reports],
            }
        )


# --- Audit search (office) ----------------------------------------------------------------------------


class AuditQuerySerializer(serializers.Serializer):
    user = serializers.CharField(required=False, max_length=150, help_text=_("用户ID或用户名"))
    town = serializers.IntegerField(required=False, min_value=1)
    # "from" is a Python keyword: the serializer fields are named in __init__.
    page = serializers.IntegerField(required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = serializers.DateField(required=False)
        self.fields["to"] = serializers.DateField(required=False)


def audit_entry(row: selectors.AuditRow) -> dict:
    return {
        "at": row.at,
        "user": row.user.get_username() if row.user else None,
        "user_name": _person(row.user),
        "object": row.object,
        "action": row.action,
        "changes": row.changes,
        "reason": row.reason,
        "source": row.source,
        "report": row.report_id,
        "town": row.town_id,
    }


class AuditView(APIView):
    """The office's audit search over every recorded change of statistics, whatever path it took:
    `at, user, object, action, changes (field, old, new), reason, source`; newest first, 50 a page."""

    @extend_schema(
        tags=["ledgers"],
        parameters=[AuditQuerySerializer],
        responses=described({200: _("count, page, pages, results")}),
    )
    def get(self, request):
        check_audit_access(request.user)
        query = parse_query(AuditQuerySerializer, request)
        town_id = query.get("town")
        if town_id:
            get_town_for_user(request.user, town_id)
        date_from, date_to = query.get("from"), query.get("to")
        if date_from and date_to and date_from > date_to:
            raise ValidationError({"to": [_("结束日期不能早于开始日期。")]})
        keys = selectors.audit_keys(
            request.user,
            user_id=selectors.audit_user_id(query.get("user")),
            town_id=town_id,
            date_from=date_from,
            date_to=date_to,
        )
        page = Paginator(keys, AUDIT_PAGE_SIZE).get_page(query.get("page") or 1)
        rows = selectors.audit_rows(list(page.object_list))
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": [audit_entry(row) for row in rows],
            }
        )


# --- Gaps (查漏补缺) ------------------------------------------------------------------------------------


class GapsQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    district = serializers.IntegerField(required=False, min_value=1)


class GapsView(APIView):
    """Expected reports of the year that are missing, late, overdue or accepted with open flags."""

    @extend_schema(
        tags=["ledgers"],
        parameters=[GapsQuerySerializer],
        responses=described({200: _("year, expected, counts, districts, items")}),
    )
    def get(self, request):
        query = parse_query(GapsQuerySerializer, request)
        district_id = query.get("district")
        if district_id:
            get_district_for_user(request.user, district_id)
        table = selectors.gaps_for_year(request.user, year=query["year"], district_id=district_id)
        return Response(
            {
                "year": table.year,
                "expected": table.expected,
                "counts": table.counts,
                "districts": [
                    {"id": d.district.pk, "name": d.district.name, "counts": d.counts} for d in table.districts
                ],
                "items": [
                    {
                        "district": item.town.district_id,
                        "town": item.town.pk,
                        "town_name": item.town.name,
                        "period": dates.format_period(item.period),
                        "kinds": item.kinds,
                        "report": item.report_id,
                        "status": item.status,
                        "open_flags": item.open_flags,
                        "due_on": item.due_on,
                    }
                    for item in table.items
                ],
            }
        )
