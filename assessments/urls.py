from django.urls import path

from . import run_views as runs
from . import scheme_views as schemes
from . import self_evaluation_views as self_evaluations
from . import target_views as targets

urlpatterns = [
    path("assessments/", runs.overview, name="assessment-overview"),
    path("assessments/targets/", targets.target_list, name="assessment-targets"),
    path("assessments/targets/template/", targets.target_template, name="assessment-target-template"),
    path("assessments/targets/import/", targets.target_import, name="assessment-target-import"),
    path("assessments/targets/<int:town_id>/<int:year>/", targets.target_edit, name="assessment-target-edit"),
    path("assessments/schemes/", schemes.scheme_list, name="assessment-schemes"),
    path("assessments/schemes/new/", schemes.scheme_create, name="assessment-scheme-create"),
    path("assessments/schemes/<int:pk>/", schemes.scheme_detail, name="assessment-scheme"),
    path("assessments/schemes/<int:pk>/edit/", schemes.scheme_edit, name="assessment-scheme-edit"),
    path("assessments/schemes/<int:pk>/copy/", schemes.scheme_copy, name="assessment-scheme-copy"),
    path("assessments/runs/new/", runs.run_create, name="assessment-run-create"),
    path("assessments/runs/<int:pk>/", runs.run_detail, name="assessment-run"),
    path("assessments/runs/<int:pk>/manual/", runs.run_manual, name="assessment-run-manual"),
    path("assessments/runs/<int:pk>/publish/", runs.run_publish, name="assessment-run-publish"),
    path("assessments/runs/<int:pk>/delete/", runs.run_delete, name="assessment-run-delete"),
    path("assessments/runs/<int:pk>/export/", runs.run_export, name="assessment-run-export"),
    path("assessments/runs/<int:pk>/briefing/", runs.run_briefing, name="assessment-run-briefing"),
    path("assessments/runs/<int:pk>/briefing.docx", runs.run_briefing_docx, name="assessment-run-briefing-docx"),
    path("assessments/runs/<int:pk>/towns/<int:town_id>/", runs.run_town, name="assessment-town"),
    path("assessments/runs/<int:pk>/towns/<int:town_id>/decide/", runs.run_decide, name="assessment-town-decide"),
    path("assessments/self-evaluations/", self_evaluations.self_evaluation_list, name="assessment-self-evaluations"),
    path(
        "assessments/self-evaluations/<int:unit_id>/<str:kind>/<str:period>/",
        self_evaluations.self_evaluation_form,
        name="assessment-self-evaluation",
    ),
]
