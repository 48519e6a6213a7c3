"""Fixtures of the analytics tests."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client


@pytest.fixture
def staff_client(db: None) -> Client:
    staff = get_user_model().objects.create_user("boss", password="pw-staff-123", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client
