"""Fixtures the monitoring tests share."""

import pytest
from django.test import Client

OPERATOR_TOKEN = "operators-metrics-token"


@pytest.fixture
def operator(settings) -> Client:
    """An operator's script: the detailed pages want the metrics token (test_health_access.py
    shows who else may read them)."""
    settings.METRICS_TOKEN = OPERATOR_TOKEN
    return Client(headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
