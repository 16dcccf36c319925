from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from . import views
from .health import healthz
from .help_views import help_page
from .lib.api import SchemaView
from .search import search_page

api_v1 = [
    path("", include("coordination.api_urls")),
    path("", include("ledgers.api_urls")),
    path("", include("inspections.api_urls")),
    path("", include("assessments.api_urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", views.home, name="home"),
    path("session/keepalive/", views.session_keepalive, name="session-keepalive"),
    path("nav/counts/", views.nav_counts, name="nav-counts"),
    path("search/", search_page, name="search"),
    path("help/", help_page, name="help"),
    path("", include("coordination.urls")),
    path("", include("ledgers.urls")),
    path("", include("inspections.urls")),
    path("", include("assessments.urls")),
    path("", include("assessments.dashboard_urls")),
]

# A database outage anywhere in a request answers the 503 page rather than a 500 (tianjin_towns.health).
handler500 = "tianjin_towns.health.server_error"
# API paths answer JSON for every error, 404 included (API.md).
handler400 = "tianjin_towns.health.bad_request"
handler403 = "tianjin_towns.health.permission_denied"
handler404 = "tianjin_towns.health.page_not_found"
