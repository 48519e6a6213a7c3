from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class RecruitingConfig(AppConfig):
    name = "recruiting"
    verbose_name = "Recruiting"

    def ready(self) -> None:
        from llm.local import LocalRequest, register_handler
        from recruiting.drafting.company_info import extract_company_info_locally
        from recruiting.drafting.department_profile import department_profile_locally
        from recruiting.drafting.job_posting import draft_job_posting_locally
        from recruiting.interview_feedback import interview_feedback_locally
        from recruiting.matching import tasks as matching_tasks  # noqa: F401 - registers the Celery task
        from recruiting.matching.handlers import match_candidate_locally, recruiter_lens_locally
        from recruiting.parsing import parse_cv_text

        def parse_cv_locally(request: LocalRequest) -> dict[str, Any]:
            # The rule-based parser: the offline default and the fallback when a model fails.
            return parse_cv_text(str(request.context.get("cv_text", "")))

        register_handler("parse_cv", parse_cv_locally)
        register_handler("match_candidate", match_candidate_locally)
        register_handler("recruiter_lens", recruiter_lens_locally)
        register_handler("generate_interview_feedback", interview_feedback_locally)
        register_handler("generate_job_metadata", draft_job_posting_locally)
        register_handler("generate_department_profile", department_profile_locally)
        register_handler("extract_company_info", extract_company_info_locally)
