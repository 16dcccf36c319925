"""The API's OpenAPI schema class (settings: REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]); a module of its own,
since DRF imports it while drf_spectacular's views are still loading."""

from drf_spectacular.openapi import AutoSchema


class Schema(AutoSchema):
    """The API's schema class (DEFAULT_SCHEMA_CLASS): only a collection's list is paginated; an object's own list
    (`/monthly-reports/{id}/history/`, `/towns/{id}/status-history/`, a run's results) answers a plain array, and
    the schema says so (drf-spectacular would document the collection's pagination for it)."""

    def _get_paginator(self):
        if getattr(self.view, "detail", False):
            return None
        return super()._get_paginator()
