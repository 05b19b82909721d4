"""Functional tests: every fixture's whole set of findings must match its comments."""

from __future__ import annotations

import pytest

from harness import case_id, cases, expectations, findings, lacking_messages, materialize, shaped_like


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_fixture(case, tmp_path):
    root = materialize(case, tmp_path)
    expected = expectations(case)
    actual = findings(root)
    assert shaped_like(actual, expected) == expected


@pytest.mark.parametrize("case", cases(), ids=case_id)
def test_prefilter_hides_no_finding(case, tmp_path):
    """Every rule run on every file, prefilter bypassed, finds nothing the prefilter would skip."""
    root = materialize(case, tmp_path)
    assert findings(root, every_rule=True) == findings(root)


def test_a_mutated_message_fails_its_fixture(tmp_path, monkeypatch):
    """Messages are compared: LTN105 saying 'higher-is-not-better' fails its fixture."""
    from flake8_lightning.registry import RULES

    rule = RULES["LTN105"]
    monkeypatch.setattr(rule, "message", rule.message.replace("{better}-is-better", "{better}-is-not-better"))
    case = next(c for c in cases("LTN105") if c.name.startswith("bad_"))
    root = materialize(case, tmp_path)
    assert shaped_like(findings(root), expectations(case)) != expectations(case)


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


def test_bad_cases_expect_findings_and_ok_cases_none():
    """A case under tests/fixtures/LTNxxx/ is about LTNxxx: bad_* expect it, ok_* do not."""
    for case in cases():
        code = case.parent.name
        expected = [e for e in expectations(case) if e[2] == code]
        if case.name.startswith("bad_"):
            assert expected, f"{case_id(case)} expects no {code}: mark the reported lines with # expect: {code}..."
        elif case.name.startswith("ok_"):
            assert not expected, f"{case_id(case)} is an ok_ case but expects {code}"
        else:
            raise AssertionError(f"{case_id(case)}: name a case bad_* (must fire) or ok_* (must stay silent)")


def test_every_rule_has_firing_and_silent_fixtures():
    from flake8_lightning.registry import RULES

    for code in RULES:
        rule_cases = cases(code)
        assert rule_cases, f"{code} has no fixtures: add tests/fixtures/{code}/bad_*.py and ok_*.py"
        names = " ".join(c.name for c in rule_cases)
        assert "ok_" in names and "bad_" in names, f"{code} needs bad_* and ok_* fixtures"


#: Expectations deliberately left without a message: the rule's message is
#: wrong there (reported to the lead), and a fixture must not freeze a bug.
#: Write the message once the rule is fixed, and remove the entry.
WRONG_MESSAGES: dict[str, str] = {}


def test_every_expectation_states_its_message():
    """Messages are part of the expectation: ``# expect: LTN001:9 "the whole message"``."""
    all_lacking = lacking_messages()
    stale = sorted(set(WRONG_MESSAGES) - set(all_lacking))
    assert not stale, f"now stating a message, remove from WRONG_MESSAGES: {stale}"
    lacking = [item for item in all_lacking if item not in WRONG_MESSAGES]
    assert not lacking, (
        f"{len(lacking)} expectation(s) in tests/fixtures state no message; write the whole message after "
        'the code, e.g. # expect: LTN001:9 "...":\n  ' + "\n  ".join(lacking)
    )
