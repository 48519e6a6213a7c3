"""WebSocket URL patterns of every app, collected for config.asgi."""

from django.urls import path

from llm import consumers as llm_consumers
from recruiting.consumers.heartbeat import HeartbeatConsumer

websocket_urlpatterns = [
    path("ws/heartbeat/", HeartbeatConsumer.as_asgi()),
    path("ws/llm/playground/", llm_consumers.PlaygroundConsumer.as_asgi()),
]
