"""`/ws/recruiting/jobs/<job_id>/ranking/<candidate_id>/explain/`: a match assessment
(match_candidate or recruiter_lens) streamed into the ranking page's explanation panel.

The score, summary, reasons and warnings appear as their JSON members complete; on complete the
assessment is scored and stored as `match_assessment_run` stores it, and the panel's block is
replaced by the stored one. Anonymized review: if the page was opened with the switch on, or it is
on now, the prompt gets the anonymized CV and the stored assessment is the anonymized one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from llm.consumers import Event, StreamCall, in_db_thread
from recruiting import selectors
from recruiting.consumers.streamed_fields import StreamedFieldsConsumer
from recruiting.models import Candidate, Company, Job, MatchAssessment
from recruiting.services.matching import (
    MatchInputs,
    NoParsedCV,
    anonymized_review_on,
    match_assessment_inputs,
    match_assessment_record,
)

TEMPLATE = "recruiting/match_explanation.html"
STREAMED_MEMBERS = ("score", "summary", "bullets", "warnings")


class MatchExplanationConsumer(StreamedFieldsConsumer):
    fragment_prefix = "match"

    job: Job | None = None
    candidate: Candidate | None = None
    anonymized_at_connect = False
    inputs: MatchInputs | None = None

    def authorize_objects(self, company: Company) -> bool:
        kwargs = self.scope["url_route"]["kwargs"]
        self.job = selectors.job_list(company=company).filter(pk=kwargs["job_id"]).first()
        self.candidate = selectors.candidate_list(company=company).filter(pk=kwargs["candidate_id"]).first()
        self.anonymized_at_connect = anonymized_review_on(self.scope.get("session"))
        return self.job is not None and self.candidate is not None

    def prepare_call(self, message: dict[str, Any]) -> StreamCall:
        assert self.job is not None and self.candidate is not None  # authorize() refused the socket otherwise
        feature = message.get("feature") or MatchAssessment.Feature.MATCH_CANDIDATE
        if feature not in MatchAssessment.Feature.values:
            raise ValidationError("Unknown assessment.")
        # Either state hides identity: the page as it was rendered, or the switch as it is now.
        anonymized = self.anonymized_at_connect or anonymized_review_on(self._fresh_session())
        try:
            self.inputs = match_assessment_inputs(
                job=self.job, candidate=self.candidate, feature=feature, anonymized=anonymized
            )
        except NoParsedCV as missing:
            raise ValidationError("This candidate has no parsed CV yet.") from missing
        return StreamCall(
            feature=self.inputs.feature,
            context=self.inputs.context,
            tenant=self.company,
            user=self.user,
            subject=self.candidate,
        )

    def _fresh_session(self) -> Any:
        """The session as stored now (the scope's copy was read at connect)."""
        session = self.scope.get("session")
        return session.__class__(session.session_key) if session is not None and session.session_key else None

    def field_values(self, members: dict[str, Any]) -> dict[str, Any]:
        return {name: members[name] for name in STREAMED_MEMBERS if name in members}

    def field_html(self, name: str, value: Any) -> str:
        assert self.inputs is not None
        context = {"feature": self.inputs.feature, "name": name, "value": value}
        return render_to_string(f"{TEMPLATE}#streamed_member", context)

    async def send_event(self, event: Event) -> None:
        if event["type"] == "started" and self.inputs is not None:  # empty places for the members
            await self.send(text_data=render_to_string(f"{TEMPLATE}#streaming_body", {"feature": self.inputs.feature}))
        await super().send_event(event)

    async def on_complete(self, event: Event) -> None:
        stored = await in_db_thread(self._store, event)
        if self.mode == "htmx":
            await self.send(text_data=await in_db_thread(self._stored_html, stored))
        else:
            await self.send_json(
                {"type": "stored", "assessment_id": stored.pk, "combined_score": stored.combined_score}
            )

    def _store(self, event: Event) -> MatchAssessment:
        assert self.inputs is not None
        return match_assessment_record(
            self.inputs,
            output=event.get("output"),
            rule_based=bool(event.get("rule_based")),
            model_used=f"{event.get('provider')}/{event.get('model')}",
            run_id=event.get("run_id"),
        )

    def _stored_html(self, assessment: MatchAssessment) -> str:
        label = MatchAssessment.Feature(assessment.feature).label
        context = {"feature": assessment.feature, "label": label, "assessment": assessment, "oob": True}
        return render_to_string(f"{TEMPLATE}#assessment", context)
