"""REST API v1 for visits (`/inspections/`), problems (`/problems/`) and their follow-up, the quarterly
measures and the circular. Views parse input, pass through the permission door and call one service
or selector; serializers only parse and format. Files travel as multipart `files`."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from coordination.models import MemberUnit, OrgUnit, Town
from coordination.permissions import get_org_unit_for_user
from tianjin_towns.lib import dates, downloads
from tianjin_towns.lib.api import (
    EVENT_FIELDS,
    ListViewSet,
    optional_text,
    parse_body,
    parse_query,
    visible_in_body,
)
from tianjin_towns.lib.api import EventSerializer as TrailSerializer

from . import selectors, services
from .models import Attachment, InspectionEvent, Problem, ProblemCategory, ProblemStatus, Visit
from .permissions import (
    RECORD,
    RECTIFY,
    VERIFY,
    check_record_visits,
    get_attachment_file_for_user,
    get_problem_for_user,
    get_visit_for_user,
)

PARSERS = [JSONParser, MultiPartParser, FormParser]


def _files_field():
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, help_text=_("照片或文件（multipart）")
    )


# --- Output ------------------------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "kind", "name", "content_type", "size", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        return reverse("api-inspection-file", args=[attachment.pk])


class VisitSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    towns = serializers.SerializerMethodField()
    member_units = serializers.SerializerMethodField()
    problem_count = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "kind",
            "district",
            "district_name",
            "held_on",
            "title",
            "towns",
            "member_units",
            "participants",
            "summary",
            "problem_count",
            "attachments",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_towns(self, visit: Visit) -> list[int]:
        return [town.pk for town in visit.towns.all()]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_member_units(self, visit: Visit) -> list[int]:
        return [unit.pk for unit in visit.member_units.all()]

    def get_problem_count(self, visit: Visit) -> int:
        count = getattr(visit, "problem_count", None)
        return count if count is not None else visit.problems.count()

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, visit: Visit) -> list:
        files = [a for a in visit.attachments.all() if a.problem_id is None]
        return AttachmentSerializer(files, many=True).data


class ProblemSerializer(serializers.ModelSerializer):
    district = serializers.IntegerField(source="visit.district_id", read_only=True)
    town_name = serializers.SerializerMethodField()
    responsible_name = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Problem
        fields = [
            "id",
            "visit",
            "district",
            "town",
            "town_name",
            "category",
            "description",
            "responsible_unit",
            "responsible_member_unit",
            "responsible_name",
            "found_on",
            "due_on",
            "solved_on_site",
            "solved_same_day",
            "status",
            "rectified_on",
            "closed_on",
            "overdue",
            "days_overdue",
            "reject_reason",
            "attachments",
        ]
        read_only_fields = fields

    def get_town_name(self, problem: Problem) -> str:
        return problem.town.unit.name if problem.town_id else ""

    def get_overdue(self, problem: Problem) -> bool:
        return problem.is_overdue(self.context.get("today") or dates.today())

    def get_days_overdue(self, problem: Problem) -> int:
        return problem.days_overdue(self.context.get("today") or dates.today())


class EventSerializer(TrailSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = InspectionEvent
        fields = [*EVENT_FIELDS, "changes", "attachments", "no_evidence_reason"]
        read_only_fields = fields


# --- Input -------------------------------------------------------------------------------------------


class VisitFilterSerializer(serializers.Serializer):
    district = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.ChoiceField(choices=Visit.Kind.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4)


class VisitCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Visit.Kind.choices, default=Visit.Kind.ONSITE_SUPERVISION)
    district = serializers.IntegerField()
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    towns = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    member_units = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    participants = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    files = _files_field()


class VisitUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Visit.Kind.choices, required=False)
    held_on = serializers.DateField(required=False)
    title = serializers.CharField(max_length=200, required=False)
    towns = serializers.ListField(child=serializers.IntegerField(), required=False)
    member_units = serializers.ListField(child=serializers.IntegerField(), required=False)
    participants = serializers.CharField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    files = _files_field()


class ProblemFilterSerializer(serializers.Serializer):
    district = serializers.IntegerField(required=False, min_value=1, source="district_id")
    visit = serializers.IntegerField(required=False, min_value=1, source="visit_id")
    status = serializers.ChoiceField(choices=ProblemStatus.choices, required=False)
    category = serializers.ChoiceField(choices=ProblemCategory.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False)
    mine = serializers.BooleanField(required=False, default=False, help_text=_("只列本单位承办的问题"))


class ProblemFieldsSerializer(serializers.Serializer):
    town = serializers.IntegerField(required=False, allow_null=True)
    category = serializers.ChoiceField(choices=ProblemCategory.choices)
    description = serializers.CharField(max_length=4000)
    responsible_unit = serializers.IntegerField(required=False, allow_null=True, help_text=_("区或小镇的组织单位 id"))
    responsible_member_unit = serializers.IntegerField(required=False, allow_null=True, help_text=_("成员单位 id"))
    due_on = serializers.DateField(required=False, allow_null=True)


class ProblemCreateSerializer(ProblemFieldsSerializer):
    visit = serializers.IntegerField()
    solved_on_site = serializers.BooleanField(required=False, default=False)
    solved_same_day = serializers.BooleanField(required=False, default=False)
    files = _files_field()


class ProblemNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    files = _files_field()


class RectifySerializer(ProblemNoteSerializer):
    no_evidence_reason = optional_text(
        help_text=_("无佐证材料的说明：报告整改完成而没有照片或佐证材料时必填，市特镇办据此核验时决定是否免交或退回")
    )


class VerifySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_waiver = optional_text(help_text=_("免交佐证的理由：核验没有照片或佐证材料的整改时必填"))


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PeriodQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(required=False, min_value=1, max_value=4, help_text=_("省略为全年"))
    district = serializers.IntegerField(required=False, min_value=1)


class MeasuresSerializer(serializers.Serializer):
    """One district's measures for the period (selectors.Measures); shares are of `found`, null when none."""

    district = serializers.IntegerField()
    district_name = serializers.CharField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True)
    visits = serializers.IntegerField(help_text=_("现场督办服务次数"))
    special_inspections = serializers.IntegerField()
    visits_held = serializers.IntegerField()
    found = serializers.IntegerField()
    solved_on_site = serializers.IntegerField()
    solved_same_day = serializers.IntegerField(help_text=_("含现场解决"))
    share_solved_on_site = serializers.FloatField(allow_null=True)
    share_solved_same_day = serializers.FloatField(allow_null=True)
    closed = serializers.IntegerField()
    closed_on_time = serializers.IntegerField()
    share_closed_on_time = serializers.FloatField(allow_null=True)
    median_days_to_close = serializers.FloatField(allow_null=True)
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()


# --- Helpers -----------------------------------------------------------------------------------------


def _district(user, pk: int, *, field: str = "district") -> OrgUnit:
    """A district named in a body or query: unseen → 400 on the field, seen without the right → 403."""
    unit = visible_in_body(get_org_unit_for_user, user, pk, field=field, message=_("区不存在或无权访问。"))
    if unit.level != OrgUnit.Level.DISTRICT:
        raise ValidationError({field: [_("请选择一个区。")]})
    return unit


def _visit_in_body(user, pk: int) -> Visit:
    """The visit a new problem names: unseen → 400 on the field (the body is not a URL), seen without the
    right to record → 403 (the door's)."""
    return visible_in_body(get_visit_for_user, user, pk, RECORD, field="visit", message=_("督办检查不存在或无权访问。"))


def _districts(user, query: dict) -> QuerySet[OrgUnit]:
    """The districts the user sees, or the one the query names (validated as `_district` does)."""
    only = _district(user, query["district"]).pk if query.get("district") else None
    return selectors.districts_for_user(user, only=only)


def _rows(model, ids, field: str, *, unknown=None) -> list:
    """The rows a body names by id; an unknown id is a 400 on the field (`unknown`, or the missing ids)."""
    ids = list(dict.fromkeys(ids or []))
    rows = selectors.rows_by_pk(model, ids)
    if len(rows) != len(ids):
        missing = sorted(set(ids) - {row.pk for row in rows})
        if unknown is None:
            unknown = _("不存在的编号：%(ids)s。") % {"ids": ", ".join(map(str, missing))}
        raise ValidationError({field: [unknown]})
    return rows


def _one(model, pk, field: str):
    if pk is None:
        return None
    return _rows(model, [pk], field)[0]


def _towns(ids) -> list[Town]:
    return _rows(Town, ids, "towns", unknown=_("小镇不存在。"))


# --- Visits ------------------------------------------------------------------------------------------


class VisitViewSet(ListViewSet):
    """On-site supervision services (现场督办服务) and special inspections (专项检查)."""

    serializer_class = VisitSerializer
    filter_serializer = VisitFilterSerializer
    door = staticmethod(get_visit_for_user)
    parser_classes = PARSERS

    def filtered(self, query: dict):
        start = end = None
        if query.get("year"):
            start, end = selectors.period_bounds(query["year"], query.get("quarter"))
        return selectors.visit_list(
            self.request.user,
            district_id=query.get("district"),
            kind=query.get("kind"),
            start=start,
            end=end,
            with_attachments=True,
        )

    def fresh(self, visit: Visit) -> Visit:
        return selectors.visit_with_related(visit)

    @extend_schema(request=VisitCreateSerializer, responses={201: VisitSerializer})
    def create(self, request):
        data = parse_body(VisitCreateSerializer, request)
        district = _district(request.user, data["district"])
        check_record_visits(request.user, district.pk)
        visit = services.visit_create(
            actor=request.user,
            kind=data["kind"],
            district=district,
            held_on=data["held_on"],
            title=data["title"],
            towns=_towns(data["towns"]),
            member_units=_rows(MemberUnit, data["member_units"], "member_units"),
            participants=data["participants"],
            summary=data["summary"],
            files=data.get("files") or [],
        )
        return self.respond(visit, status.HTTP_201_CREATED)

    @extend_schema(
        request={"application/json": VisitUpdateSerializer, "multipart/form-data": VisitUpdateSerializer},
        description="Correct a visit; photos and documents sent as multipart `files` are added to it.",
    )
    def partial_update(self, request, pk=None):
        visit = get_visit_for_user(request.user, pk, RECORD)
        fields = dict(parse_body(VisitUpdateSerializer, request))
        if "towns" in fields:
            fields["towns"] = _towns(fields["towns"])
        if "member_units" in fields:
            fields["member_units"] = _rows(MemberUnit, fields["member_units"], "member_units")
        return self.respond(services.visit_update(actor=request.user, visit=visit, **fields))

    @extend_schema(parameters=[PeriodQuerySerializer], responses=MeasuresSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def measures(self, request):
        """Per district and quarter (or year): visits held, problems found, shares solved on the spot and
        the same day, median days to close, open and overdue (R-2.3)."""
        query = parse_query(PeriodQuerySerializer, request)
        year, quarter = query["year"], query.get("quarter")
        start, end = selectors.period_bounds(year, quarter)
        measured = selectors.district_measures(_districts(request.user, query), start=start, end=end)
        rows = [
            {"district": d.pk, "district_name": d.name, "year": year, "quarter": quarter, **m.as_dict()}
            for d, m in measured
        ]
        return Response(rows)

    @extend_schema(
        parameters=[PeriodQuerySerializer],
        responses=inline_serializer(
            "InspectionCircular",
            {
                "as_of": serializers.DateField(),
                "total": serializers.IntegerField(),
                "districts": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def circular(self, request):
        """The circular (通报): problems overdue at the end of the period (or today), per district."""
        query = parse_query(PeriodQuerySerializer, request)
        start, end = selectors.period_bounds(query["year"], query.get("quarter"))
        result = selectors.overdue_circular(districts=_districts(request.user, query), start=start, end=end)
        context = {"today": result.as_of}
        return Response(
            {
                "as_of": result.as_of,
                "total": result.total,
                "districts": [
                    {
                        "district": block.district.pk,
                        "district_name": block.district.name,
                        "problems": [
                            {**ProblemSerializer(e.problem, context=context).data, "days_overdue": e.days_overdue}
                            for e in block.entries
                        ],
                    }
                    for block in result.districts
                ],
            }
        )


# --- Problems ----------------------------------------------------------------------------------------


class ProblemViewSet(ListViewSet):
    """The problem lists (问题清单) of the visits: open → in_progress → done (rectified) → verified, or
    back to open when the office rejects the rectification."""

    serializer_class = ProblemSerializer
    filter_serializer = ProblemFilterSerializer
    door = staticmethod(get_problem_for_user)
    subject = "problem"
    parser_classes = PARSERS

    def filtered(self, query: dict):
        return selectors.problem_list(self.request.user, **query, with_attachments=True)

    def fresh(self, problem: Problem) -> Problem:
        return selectors.problem_with_related(problem.pk)

    @extend_schema(request=ProblemCreateSerializer, responses={201: ProblemSerializer})
    def create(self, request):
        data = dict(parse_body(ProblemCreateSerializer, request))
        visit = _visit_in_body(request.user, data.pop("visit"))
        problem = services.problem_create(
            actor=request.user,
            visit=visit,
            town=_one(Town, data.pop("town", None), "town"),
            responsible_unit=_one(OrgUnit, data.pop("responsible_unit", None), "responsible_unit"),
            responsible_member_unit=_one(
                MemberUnit, data.pop("responsible_member_unit", None), "responsible_member_unit"
            ),
            files=data.pop("files", None) or [],
            **data,
        )
        return self.respond(problem, status.HTTP_201_CREATED)

    @extend_schema(request=ProblemFieldsSerializer)
    def partial_update(self, request, pk=None):
        problem = get_problem_for_user(request.user, pk, RECORD)
        fields = dict(parse_body(ProblemFieldsSerializer, request, partial=True))
        for name, model in (("town", Town), ("responsible_unit", OrgUnit), ("responsible_member_unit", MemberUnit)):
            if name in fields:
                fields[name] = _one(model, fields[name], name)
        return self.respond(services.problem_update(actor=request.user, problem=problem, **fields))

    @extend_schema(request=ProblemNoteSerializer, description="The responsible unit reports progress: → in_progress.")
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        return self.step(request, pk, RECTIFY, services.problem_report_progress, ProblemNoteSerializer)

    @extend_schema(
        request=RectifySerializer,
        description="The responsible unit reports the rectification done: → done. It needs evidence: `files` "
        "(multipart), unless a progress report since the last rejection had some; a unit that has none says why in "
        "`no_evidence_reason` (the office then verifies with `evidence_waiver` or rejects); with neither, a 400 on "
        "`files`.",
    )
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        return self.step(request, pk, RECTIFY, services.problem_rectify, RectifySerializer)

    @extend_schema(
        request=VerifySerializer,
        description="The office verifies the rectification: done → verified; one without evidence needs "
        "`evidence_waiver` (else a 400 on it).",
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self.step(request, pk, VERIFY, services.problem_verify, VerifySerializer)

    @extend_schema(
        request=RejectSerializer,
        description="The office rejects the rectification: done → open; an empty reason is a 400.",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.step(request, pk, VERIFY, services.problem_reject, RejectSerializer)

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        problem = get_problem_for_user(request.user, pk)
        return Response(EventSerializer(selectors.problem_timeline(problem), many=True).data)


# --- Files -------------------------------------------------------------------------------------------


class AttachmentFileView(APIView):
    """A visit's photo or document, or a problem's evidence, to whoever sees the visit or the problem."""

    @extend_schema(tags=["inspections"], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        attachment = get_attachment_file_for_user(request.user, pk)
        return downloads.file_download(
            attachment.file,
            filename=attachment.name,
            content_type=attachment.content_type,
            target=attachment.taken_name,
        )
