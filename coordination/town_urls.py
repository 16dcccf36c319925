"""Pages of the towns and their lifecycle (R-1.1, R-1.2), included from coordination.urls."""

from django.urls import path

from . import town_views

urlpatterns = [
    path("towns/", town_views.town_list, name="town-list"),
    path("towns/new/", town_views.town_create, name="town-create"),
    path("towns/<int:pk>/", town_views.town_detail, name="town-detail"),
    path("towns/<int:pk>/edit/", town_views.town_edit, name="town-edit"),
    path("towns/<int:pk>/status/", town_views.town_status, name="town-status"),
    path("towns/list-decisions/", town_views.town_list_decisions, name="town-list-decisions"),
    path("towns/list-decisions/new/", town_views.town_list_decision_create, name="town-list-decision"),
]
