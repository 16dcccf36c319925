"""/api/v1/documents/ (API.md): the official documents issued (issue 20) that the caller reads, and each one's file
as issued (`/{id}/file/`). Read-only: documents are issued on their own pages (coordination.document_views)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from tianjin_towns.lib.api import ListViewSet
from tianjin_towns.lib.documents import DOCX

from . import issued_documents
from .models import DocumentKind, IssuedDocument


class DocumentFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False)
    year = serializers.IntegerField(required=False, min_value=2016, max_value=2100)


class IssuedDocumentSerializer(serializers.ModelSerializer):
    issued_by = serializers.SerializerMethodField(help_text=_("印发人（姓名，无姓名时为用户名）"))
    issuer = serializers.CharField(source="issuer_name", help_text=_("发文单位"))
    corrects = serializers.PrimaryKeyRelatedField(read_only=True, help_text=_("更正的文件；不是更正件时为空"))

    class Meta:
        model = IssuedDocument
        fields = [
            "id",
            "kind",
            "number",
            "title",
            "issued_on",
            "issued_by",
            "issuer",
            "current",
            "corrects",
            "correction_reason",
        ]
        read_only_fields = fields

    def get_issued_by(self, document: IssuedDocument) -> str:
        profile = getattr(document.issued_by, "profile", None)
        return (profile.full_name if profile else "") or document.issued_by.username


def _document(user, pk, perm=None):
    return issued_documents.get_document_for_user(user, pk)


class IssuedDocumentViewSet(ListViewSet):
    """Issued documents the caller reads, newest first: the office's circulars and briefings, the minutes of the
    meetings of its units."""

    serializer_class = IssuedDocumentSerializer
    filter_serializer = DocumentFilterSerializer
    selector = staticmethod(issued_documents.issued_documents)
    door = staticmethod(_document)


class IssuedDocumentFileView(APIView):
    """The file as issued (.docx), never made again."""

    @extend_schema(
        tags=["documents"], responses={(200, DOCX): OpenApiResponse(OpenApiTypes.BINARY, description=_("印发件"))}
    )
    def get(self, request, pk: int):
        return issued_documents.issued_file(issued_documents.get_document_for_user(request.user, pk))
