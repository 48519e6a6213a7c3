"""`/ws/interviews/<pk>/feedback/`: streams AI feedback for one interview (feature
`generate_interview_feedback`) from its notes, the selected CV version, the job and documents.

Who may connect: an active member of the interview's company (recruiters and admins both run
interviews); anyone else is refused with 4403 before any call. The start message may carry the
notes as typed on the page (not saved yet) so that feedback reflects what the interviewer sees.
On complete the editable feedback field and the recommendation are filled in; saving stays the
interviewer's decision.
"""

from __future__ import annotations

from typing import Any

from recruiting.consumers.ai_panel import AiPanelConsumer
from recruiting.forms import InterviewForm
from recruiting.interview_feedback import feedback_text
from recruiting.models import Interview
from recruiting.services.ai_panel import Panel

MAX_NOTES_CHARS = 20_000


class InterviewFeedbackConsumer(AiPanelConsumer):
    fragment_prefix = "interview-feedback"
    host_type = "interview"

    def panel_for(self, message: dict[str, Any]) -> Panel:
        panel = super().panel_for(message)
        notes = message.get("notes")
        if isinstance(notes, str):
            panel.context["notes"] = notes[:MAX_NOTES_CHARS]
        return panel

    def result_context(self, event: dict[str, Any]) -> dict[str, Any]:
        context = super().result_context(event)
        output = context["output"] or {}
        assert self.panel is not None and isinstance(self.panel.host, Interview)
        filled = {
            "feedback": feedback_text(output) if output else event.get("text") or "",
            "recommendation": output.get("recommendation", ""),
            "feedback_run_id": event.get("run_id"),
        }
        context["feedback_form"] = InterviewForm(interview=self.panel.host, initial=filled)
        context["fill_feedback"] = True
        return context
