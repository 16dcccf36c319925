from django.urls import path

from . import views

urlpatterns = [
    path("inspections/", views.visit_list, name="inspection-list"),
    path("inspections/new/", views.visit_create, name="inspection-create"),
    path("inspections/<int:pk>/", views.visit_detail, name="inspection-detail"),
    path("inspections/<int:pk>/edit/", views.visit_edit, name="inspection-edit"),
    path("inspections/<int:pk>/upload/", views.visit_upload, name="inspection-upload"),
    path("inspections/<int:pk>/problems/new/", views.problem_create, name="problem-create"),
    path("inspections/files/<int:pk>/", views.attachment_download, name="inspection-file"),
    path("inspections/measures/", views.measures, name="inspection-measures"),
    path("inspections/districts/<int:pk>/", views.district_detail, name="inspection-district"),
    path("inspections/circular/", views.circular, name="inspection-circular"),
    path("inspections/circular/docx/", views.circular_docx, name="inspection-circular-docx"),
    path("inspections/circular/issue/", views.circular_issue, name="inspection-circular-issue"),
    path("problems/", views.problem_list, name="problem-list"),
    path("problems/<int:pk>/", views.problem_detail, name="problem-detail"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem-edit"),
    path("problems/<int:pk>/progress/", views.problem_follow_up, {"action": "progress"}, name="problem-progress"),
    path("problems/<int:pk>/rectify/", views.problem_follow_up, {"action": "rectify"}, name="problem-rectify"),
    path("problems/<int:pk>/verify/", views.problem_verify, name="problem-verify"),
    path("problems/<int:pk>/reject/", views.problem_reject, name="problem-reject"),
]
