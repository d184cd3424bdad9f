"""The hub tests' rule for a machine without a hub: skip with the reason, but fail in CI."""

from __future__ import annotations

import pytest

from tests.support.hub import hub_unavailable


def test_a_missing_hub_skips_locally(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no proxy here"):
        hub_unavailable("no proxy here")


def test_a_missing_hub_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="hub tests cannot run in CI: no proxy here"):
        hub_unavailable("no proxy here")
