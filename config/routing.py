"""WebSocket URL patterns of every app, collected for config.asgi."""

from django.urls import path

from llm import consumers as llm_consumers
from recruiting import consumers as recruiting_consumers

websocket_urlpatterns = [
    path("ws/heartbeat/", recruiting_consumers.HeartbeatConsumer.as_asgi()),
    path("ws/llm/playground/", llm_consumers.PlaygroundConsumer.as_asgi()),
]
