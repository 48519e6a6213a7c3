from django.urls import path

from recruiting import views

app_name = "recruiting"

urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/new/", views.job_edit, name="job_create"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/edit/", views.job_edit, name="job_edit"),
    path("jobs/<int:pk>/board/", views.job_board, name="job_board"),
    path("applications/<int:pk>/move/", views.application_move, name="application_move"),
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/upload/", views.cv_upload, name="cv_upload"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/apply/", views.candidate_apply, name="candidate_apply"),
    path("candidates/<int:pk>/merge/", views.candidate_merge, name="candidate_merge"),
    path("candidates/<int:pk>/erase/", views.candidate_erase, name="candidate_erase"),
    path("cvs/<int:pk>/status/", views.cv_status, name="cv_status"),
    path("cvs/<int:pk>/retry/", views.cv_retry, name="cv_retry"),
    path("interviews/", views.interview_list, name="interview_list"),
]
urlpatterns += [
    path("jobs/<int:pk>/ranking/", views.job_ranking, name="job_ranking"),
    path("jobs/<int:pk>/ranking/assess-top/", views.job_ranking_assess_top, name="job_ranking_assess_top"),
    path("jobs/<int:pk>/ranking/<int:candidate_id>/", views.match_explanation, name="match_explanation"),
]
