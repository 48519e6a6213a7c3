from django.urls import path

from recruiting.views import ai_panel, candidates, documents, interviews, jobs, matching, profiles

app_name = "recruiting"

urlpatterns = [
    path("jobs/", jobs.job_list, name="job_list"),
    path("jobs/new/", jobs.job_edit, name="job_create"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/edit/", jobs.job_edit, name="job_edit"),
    path("jobs/<int:pk>/board/", jobs.job_board, name="job_board"),
    path("applications/<int:pk>/move/", jobs.application_move, name="application_move"),
    path("candidates/", candidates.candidate_list, name="candidate_list"),
    path("candidates/upload/", candidates.cv_upload, name="cv_upload"),
    path("candidates/new/", candidates.candidate_edit, name="candidate_create"),
    path("candidates/<int:pk>/", candidates.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/edit/", candidates.candidate_edit, name="candidate_edit"),
    path("candidates/<int:pk>/export/", candidates.candidate_export, name="candidate_export"),
    path("candidates/<int:pk>/audit/", candidates.candidate_audit, name="candidate_audit"),
    path("candidates/<int:pk>/apply/", candidates.candidate_apply, name="candidate_apply"),
    path("candidates/<int:pk>/merge/", candidates.candidate_merge, name="candidate_merge"),
    path("candidates/<int:pk>/erase/", candidates.candidate_erase, name="candidate_erase"),
    path("cvs/<int:pk>/status/", candidates.cv_status, name="cv_status"),
    path("cvs/<int:pk>/retry/", candidates.cv_retry, name="cv_retry"),
    path("interviews/", interviews.interview_list, name="interview_list"),
    path("documents/", documents.document_list, name="document_list"),
    path("documents/new/", documents.document_create, name="document_create"),
    path("documents/<int:pk>/", documents.document_detail, name="document_detail"),
]
urlpatterns += [
    path("company/", profiles.company_profile, name="company_profile"),
    path("company/extract/", profiles.company_profile_extract, name="company_profile_extract"),
    path("departments/", profiles.department_list, name="department_list"),
    path("departments/<int:pk>/", profiles.department_detail, name="department_detail"),
    path("departments/<int:pk>/edit/", profiles.department_edit, name="department_edit"),
]
urlpatterns += [
    path("jobs/<int:pk>/ranking/", matching.job_ranking, name="job_ranking"),
    path("jobs/<int:pk>/ranking/assess-top/", matching.job_ranking_assess_top, name="job_ranking_assess_top"),
    path("jobs/<int:pk>/ranking/<int:candidate_id>/", matching.match_explanation, name="match_explanation"),
]
urlpatterns += [
    path("interviews/new/", interviews.interview_create, name="interview_create"),
    path("interviews/<int:pk>/", interviews.interview_detail, name="interview_detail"),
    path("ai-panel/<str:host_type>/<int:pk>/", ai_panel.ai_panel, name="ai_panel"),
    path("ai-panel/<str:host_type>/<int:pk>/memory/", ai_panel.ai_panel_memory, name="ai_panel_memory"),
    path(
        "ai-panel/<str:host_type>/<int:pk>/memory/<int:note_id>/delete/",
        ai_panel.ai_panel_memory_delete,
        name="ai_panel_memory_delete",
    ),
    path("ai-panel/<str:host_type>/<int:pk>/save/", ai_panel.ai_panel_save, name="ai_panel_save"),
]
