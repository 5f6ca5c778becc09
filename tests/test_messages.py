"""Every message template renders; every rule has a name, a severity and a template."""

from __future__ import annotations

import pytest

from server.findings import SEVERITIES
from server.rules.catalogue import RULES
from server.rules.messages import TEMPLATES
from server.rules.messages import placeholders
from server.rules.messages import render
from server.rules.messages import template_for


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_renders_with_its_placeholders(key):
    sample = {name: f"<{name}>" for name in placeholders(key)}
    text = render(key, **sample)
    assert all(f"<{name}>" in text for name in sample)
    assert "{" not in text and "}" not in text


@pytest.mark.parametrize("key", sorted(key for key in TEMPLATES if placeholders(key)))
def test_a_missing_placeholder_fails_loudly(key):
    with pytest.raises(KeyError):
        render(key)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_registered_rule_has_a_template_name_and_severity(rule):
    info = RULES[rule]
    assert template_for(rule)
    assert info.severity in SEVERITIES
    assert info.name


def test_unknown_rule_has_no_template():
    with pytest.raises(KeyError):
        template_for("nonsense.rule")


def test_messages_are_chinese():
    for key, template in TEMPLATES.items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in template), key
