"""WebSocket URL patterns of every app, collected for config.asgi."""

from django.urls import path

from chat import consumers as chat_consumers
from llm import consumers as llm_consumers
from recruiting.consumers.ai_panel import AiPanelConsumer
from recruiting.consumers.company_profile import CompanyExtractionConsumer
from recruiting.consumers.department_profile import DepartmentProfileConsumer
from recruiting.consumers.heartbeat import HeartbeatConsumer
from recruiting.consumers.interview_feedback import InterviewFeedbackConsumer
from recruiting.consumers.job_draft import JobDraftConsumer
from recruiting.consumers.match_explanation import MatchExplanationConsumer

websocket_urlpatterns = [
    path("ws/recruiting/company/extract/<str:token>/", CompanyExtractionConsumer.as_asgi()),
    path("ws/recruiting/departments/<int:pk>/profile/", DepartmentProfileConsumer.as_asgi()),
    path("ws/heartbeat/", HeartbeatConsumer.as_asgi()),
    path("ws/llm/playground/", llm_consumers.PlaygroundConsumer.as_asgi()),
    path("ws/chat/cv/<int:cv_id>/", chat_consumers.RecruiterChatConsumer.as_asgi()),
    path("ws/chat/public/<str:token>/", chat_consumers.PublicChatConsumer.as_asgi()),
    path("ws/interviews/<int:pk>/feedback/", InterviewFeedbackConsumer.as_asgi()),
    path("ws/ai-panel/<str:host_type>/<int:pk>/", AiPanelConsumer.as_asgi()),
    path("ws/recruiting/jobs/draft/", JobDraftConsumer.as_asgi()),
    path("ws/recruiting/jobs/<int:job_id>/draft/", JobDraftConsumer.as_asgi()),
    path("ws/recruiting/jobs/<int:job_id>/ranking/<int:candidate_id>/explain/", MatchExplanationConsumer.as_asgi()),
]
