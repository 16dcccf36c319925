"""What every app's DRF views share: a serializer validates the query or the body, and a bad value is a 400
naming the field; an object a body names passes its permission door; a service runs with the caller as its
actor; `ListViewSet`, the shape of a resource with numeric ids and a filtered, paginated list; the routes
of a table of resources; responses documented by their description. (Service errors become status codes
in tianjin_towns.api_errors.)"""

from collections.abc import Callable

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from . import dates
from .schema import Schema


def parse_query(serializer_class: type[serializers.Serializer], request) -> dict:
    """Validate query parameters with a serializer; a bad one is a 400 naming the parameter."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def parse_body(serializer_class: type[serializers.Serializer], request, *, partial: bool = False) -> dict:
    """Validate the request's body (JSON or multipart) with a serializer; a bad field is a 400 naming it.
    `partial`: a PATCH, where every field may be left out."""
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def visible_in_body(loader: Callable, *args, field: str, message=_("对象不存在或无权访问。")):
    """An object a POST names in its body, through its permission door `loader(*args)` (the user, the id
    and the permission): unseen → 400 on the field with `message` (a 404 would say the URL is wrong), seen
    without the permission → 403 (the door's)."""
    try:
        return loader(*args)
    except Http404:
        raise serializers.ValidationError({field: [message]}) from None


def run_service(service: Callable, request, body: type[serializers.Serializer] | None = None, **objects):
    """`service(actor=<the caller>, **objects, **fields)`: the objects it acts on (named as its arguments,
    each through its door already) and the fields of the body `body` validates, named as its arguments too."""
    fields = parse_body(body, request) if body is not None else {}
    return service(actor=request.user, **objects, **fields)


def described(responses: dict) -> dict:
    """Responses documented by their description only: status code (or (code, media type)) → a JSON object."""
    return {code: OpenApiResponse(OpenApiTypes.OBJECT, description=text) for code, text in responses.items()}


def resource_urls(resources: dict[str, tuple[type[viewsets.ViewSetMixin], str]]) -> list:
    """The routes of a table of resources: URL prefix → (viewset, URL name prefix)."""
    router = SimpleRouter()
    for prefix, (viewset, basename) in resources.items():
        router.register(prefix, viewset, basename=basename)
    return router.urls


# The schema groups a resource's operations (tags them) under its name, the path's segment after /api/v1/:
# /api/v1/monthly-reports/{id}/submit/ → "monthly-reports". (drf-spectacular's default would take "v1".)
class ResourceSchema(Schema):
    def get_tags(self) -> list[str]:
        return [self.path.split("/")[3]]


# A resource of the API: numeric ids in its URLs, a list of what the caller sees, filtered by the query
# parameters `filter_serializer` validates (a bad one is a 400 naming it) and paginated, and one object
# through its permission door; the schema tags its operations with its name (ResourceSchema). A subclass names
# - `serializer_class`, whose model also types the id in the schema;
# - `filter_serializer` and `selector`, the selector of the caller's objects that match the validated query;
#   the filter's fields are the list's documented parameters, and a field's `source` names the selector's
#   argument (`district` → `district_id`), so that the query passes on as it is:
#   `selectors.project_list(user, **query)`; or, where the selector needs more, `filtered(query)`;
# - `door`, the entity's `get_<entity>_for_user(user, pk[, perm])` (404 when unseen, 403 without `perm`);
# - `fresh(obj)` where the serializer needs more than the door reads (related rows, after a change).
# Its other routes (create, actions) are written as usual and answer with `self.respond(obj)`; a workflow
# step is `self.step(…)`, its services taking the object as `subject` (`report=`, `item=`).
# (Comments, not docstrings: the schema would show a docstring of the class, `list` or `retrieve` as the
# description of every subclass's operations that have none of their own.)
def optional_text(max_length: int = 2000, **kwargs) -> serializers.CharField:
    """An optional text of a request body (a note, a reason): blank when left out, at most `max_length` characters."""
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=max_length, **kwargs)


# One step of an item's trail as the API shows it: when, who (the user's name; null for what the system did on its
# own), what, the status before and after, and the note. A trail's serializer names its model and adds its own
# fields: `fields = [*EVENT_FIELDS, ...]` (a comment, not a docstring: see above).
EVENT_FIELDS = ["at", "user", "action", "from_status", "to_status", "note"]


class EventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)


class ListViewSet(viewsets.GenericViewSet):
    filter_serializer: type[serializers.Serializer]
    selector: Callable
    door: Callable
    subject: str
    lookup_value_regex = r"\d+"
    schema = ResourceSchema()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "filter_serializer" in vars(cls):
            extend_schema_view(list=extend_schema(parameters=[cls.filter_serializer]))(cls)
        if "serializer_class" in vars(cls) and cls.queryset is None:
            # Read by the schema only; requests go through filtered() and the door.
            cls.queryset = cls.serializer_class.Meta.model.objects.none()

    def filtered(self, query: dict):
        return self.selector(self.request.user, **query)

    def fresh(self, obj):
        return obj

    def get_serializer_context(self):
        # One date for a whole page: the serializers that say how overdue something is read it.
        return {**super().get_serializer_context(), "today": dates.today()}

    def respond(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.fresh(obj)).data, status=status_code)

    def step(self, request, pk, perm: str, service: Callable, body: type[serializers.Serializer] | None = None):
        """A workflow step: the object through its door with `perm`, then `service` on it with the fields of
        the body `body` validates (run_service); answers the object as the step left it."""
        obj = self.door(request.user, pk, perm)
        return self.respond(run_service(service, request, body, **{self.subject: obj}))

    def get_queryset(self):
        return self.filtered(parse_query(self.filter_serializer, self.request))

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self.respond(self.door(request.user, pk))


class SchemaView(SpectacularAPIView):
    """/api/schema/: the OpenAPI schema is the same for every caller (SERVE_PUBLIC; the platform speaks Chinese
    only) and changes only with the code, so each process generates it once per version (it takes a fraction of a
    second, which every client reading it at start-up would otherwise cost the server again)."""

    generated: dict[str | None, dict] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        if version not in self.generated:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            self.generated[version] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(data=self.generated[version], headers={"Content-Disposition": f'inline; filename="{filename}"'})
