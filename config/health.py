"""GET /healthz: each component's status as JSON; 503 when the database is down."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from llm.status import configured_provider_status


def _database() -> dict[str, object]:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "ok", "engine": connections["default"].vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means the database is down
        return {"status": "error", "error": type(exc).__name__}


def _cache() -> dict[str, object]:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
        return {"status": "ok" if ok else "error", "backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}
    except Exception as exc:  # noqa: BLE001
        return {"status": "error", "error": type(exc).__name__}


def _broker() -> dict[str, object]:
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
            return {"status": "ok", "transport": "redis"}
        except Exception as exc:  # noqa: BLE001
            return {"status": "error", "transport": "redis", "error": type(exc).__name__}
    queue_dir = Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]))
    writable = queue_dir.is_dir() and os.access(queue_dir, os.W_OK)
    return {"status": "ok" if writable else "error", "transport": "filesystem"}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    components = {
        "database": _database(),
        "cache": _cache(),
        "broker": _broker(),
        "llm": configured_provider_status(),
    }
    database_ok = components["database"]["status"] == "ok"
    overall = "ok" if all(c["status"] == "ok" for c in components.values()) else "degraded"
    if not database_ok:
        overall = "error"
    return JsonResponse({"status": overall, "components": components}, status=200 if database_ok else 503)
