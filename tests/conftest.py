"""Shared fixtures. Service fixtures (PostgreSQL, Redis) live in tests/plugins/services.py."""
