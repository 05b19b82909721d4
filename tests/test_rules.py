"""Functional tests: every fixture's whole set of findings must match its comments."""

from __future__ import annotations

import pytest

from harness import case_id, cases, expectations, findings, materialize, shaped_like


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_fixture(case, tmp_path):
    root = materialize(case, tmp_path)
    expected = expectations(root)
    actual = findings(root)
    assert shaped_like(actual, expected) == expected


@pytest.mark.parametrize("case", [c for c in cases() if c.is_dir()], ids=case_id)
def test_file_order_does_not_matter(case, tmp_path):
    """A file's findings do not depend on which files the process checked before."""
    root = materialize(case, tmp_path)
    files = sorted(root.rglob("*.py"))
    forward = findings(root, files)
    from flake8_lightning.model.project import Project

    Project._instances.clear()
    backward = findings(root, list(reversed(files)))
    assert forward == backward


def test_every_rule_has_firing_and_silent_fixtures():
    from flake8_lightning.registry import RULES

    for code in RULES:
        rule_cases = cases(code)
        assert rule_cases, f"{code} has no fixtures"
        names = " ".join(c.name for c in rule_cases)
        assert "ok_" in names and "bad_" in names, f"{code} needs bad_* and ok_* fixtures"
