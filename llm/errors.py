"""Errors the gateway raises or returns. Every one carries a stable `code` for AiRun.error_code."""

from __future__ import annotations


class LLMError(Exception):
    code = "llm_error"
    retryable = False

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class ProviderError(LLMError):
    """A provider call failed. `retryable` errors (429, 5xx, timeouts, resets) are retried with backoff."""

    code = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        code: str = "provider_error",
        retryable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


class InvalidOutputError(LLMError):
    code = "invalid_output"


class RefusedError(LLMError):
    """The gateway declined the call before any provider saw it (flag, budget, rate limit)."""

    code = "refused"

    def __init__(self, message: str, *, code: str, retry_after: float | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class ConfigurationError(LLMError):
    code = "configuration_error"
