"""Rule-based CV parsing and prompt-injection detection, with no dependency on the LLM gateway.

- `parse_cv_text(text) -> dict`: the `parse_cv` feature's JSON shape, built by rules.
- `detect_injection(text) -> list[str]`: instructions aimed at a model found in CV text.
"""

from .injection import detect_injection
from .parser import parse_cv_text

__all__ = ["detect_injection", "parse_cv_text"]
