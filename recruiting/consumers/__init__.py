"""WebSocket consumers of the recruiting app, one module per feature."""
