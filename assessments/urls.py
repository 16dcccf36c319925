from django.urls import path

from tianjin_towns.lib.routes import entity_pages

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
    path("assessments/schemes/<int:pk>/", schemes.scheme_detail, name="assessment-scheme"),
    *entity_pages("assessments/schemes/", schemes, "scheme", "create", "edit", "copy", name="assessment-scheme"),
    path("assessments/runs/<int:pk>/", runs.run_detail, name="assessment-run"),
    *entity_pages(
        "assessments/runs/",
        runs,
        "run",
        "create",
        "manual",
        "publish",
        "delete",
        "export",
        "briefing",
        "circular",
        routes={
            "<int:pk>/briefing.docx": "briefing_docx",
            "<int:pk>/circular.docx": "circular_docx",
            # 印发 (issue 20): the office issues a published run's briefing or results circular.
            "<int:pk>/briefing/issue/": "briefing_issue",
            "<int:pk>/circular/issue/": "circular_issue",
        },
        name="assessment-run",
    ),
    path("assessments/runs/<int:pk>/towns/<int:town_id>/", runs.run_town, name="assessment-town"),
    path("assessments/runs/<int:pk>/towns/<int:town_id>/decide/", runs.run_decide, name="assessment-town-decide"),
    path("assessments/self-evaluations/", self_evaluations.self_evaluation_list, name="assessment-self-evaluations"),
    path(
        "assessments/self-evaluations/<int:unit_id>/<str:kind>/<str:period>/",
        self_evaluations.self_evaluation_form,
        name="assessment-self-evaluation",
    ),
]
