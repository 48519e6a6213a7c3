"""The JSON API of the gateway: POST /api/v1/ai/run, POST /api/v1/ai/stream (SSE), the OpenAPI schema.

Views stay thin: llm.api.auth says who is calling, llm.api.payloads parses the body,
llm.api.access resolves the tenant and applies the plan gate, llm.api.errors maps refusals
and failures to HTTP. See llm/api/README.md.
"""
