"""The heartbeat socket: proves the authenticated WebSocket path end to end."""

from __future__ import annotations

import time
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Close codes in the 4000 range are application-defined; 4401 mirrors HTTP 401.
CLOSE_UNAUTHENTICATED = 4401


class HeartbeatConsumer(AsyncJsonWebsocketConsumer):
    """Proves the authenticated WebSocket path end to end: answers pings with the server time."""

    channel_layer_alias = None  # it answers its own socket only (see llm.consumers.StreamingConsumer)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        await self.send_json({"type": "heartbeat", "server_time": time.time(), "user_id": user.pk})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "server_time": time.time()})
        else:
            await self.send_json({"type": "error", "code": "unknown_message", "message": 'Send {"type": "ping"}.'})
