"""Routes of the leaders' dashboards: the page, its cadence panel and the JSON API (API.md)."""

from django.urls import path

from . import dashboard_api, dashboard_views

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/cadence/", dashboard_views.dashboard_cadence, name="dashboard-cadence"),
    path("api/v1/dashboard/", dashboard_api.DashboardView.as_view(), name="api-dashboard"),
]
