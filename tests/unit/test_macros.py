"""Macro templates and actions: rendering, and every way a macro is refused when saved."""

from __future__ import annotations

import pytest

from agentdesk.domain.macros import (
    MAX_ACTION_TAGS,
    MAX_TEMPLATE_BYTES,
    MAX_TITLE_LENGTH,
    PLACEHOLDERS,
    InvalidMacro,
    InvalidTemplate,
    MacroActions,
    TemplateFacts,
    check_macro,
    check_template,
    check_title,
    first_name,
    parse_actions,
    placeholders_in,
    render,
    template_values,
)
from agentdesk.domain.workflow import DeskError

FACTS = TemplateFacts(
    customer_name="José García",
    customer_email="jose@example.org",
    customer_organization=None,
    ticket_number=1042,
    ticket_subject="Refund for order 77",
    ticket_group="Billing",
    agent_name="Ana Lima",
    agent_email="ana@support.example.com",
)


# --------------------------------------------------------------------------- rendering


def test_every_placeholder_renders() -> None:
    template = " | ".join("{{" + name + "}}" for name in PLACEHOLDERS)
    assert render(template, template_values(FACTS)) == (
        "José | José García | jose@example.org |  | 1042 | Refund for order 77 | Billing"
        " | Ana | Ana Lima | ana@support.example.com"
    )


def test_the_documented_placeholders_exist() -> None:
    for name in ("customer.first_name", "customer.name", "ticket.id", "ticket.subject",
                 "agent.first_name", "agent.name"):  # fmt: skip
        assert name in PLACEHOLDERS


def test_spaces_inside_braces_and_single_braces_are_fine() -> None:
    text = "Hi {{ customer.first_name }}, see {json} and #{{ticket.id}}."
    assert render(text, template_values(FACTS)) == "Hi José, see {json} and #1042."


def test_customer_values_are_one_line_and_show_control_characters() -> None:
    facts = TemplateFacts(
        "\x1b[2JMallory\nEvil", "m@x", "Org\tInc", 1, "Sub\x07ject", None, "Ana", "a@x"
    )
    values = template_values(facts)
    assert values["customer.name"] == "␛[2JMallory Evil"
    assert values["customer.organization"] == "Org Inc"
    assert values["ticket.subject"] == "Sub␇ject"
    assert values["ticket.group"] == ""


def test_first_name() -> None:
    assert first_name("José García") == "José"
    assert first_name("  Tanaka Haruto ") == "Tanaka"
    assert first_name("") == ""


def test_placeholder_positions() -> None:
    assert placeholders_in("a {{ticket.id}} b {{agent.name}}") == [
        (2, 15, "ticket.id"),
        (18, 32, "agent.name"),
    ]


# --------------------------------------------------------------------------- template refusals


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hi {{customer.frist_name}}", "unknown placeholder {{customer.frist_name}} at line 1, "
         "column 4 (did you mean {{customer.first_name}}?); valid placeholders are "
         "{{customer.first_name}}"),
        ("Hi\n  {{cust}}", "unknown placeholder {{cust}} at line 2, column 3; valid"),
        ("Hi {{Customer.Name}}", "(did you mean {{customer.name}}?)"),
        ("Hi {{customer.name", "'{{' at line 1, column 4 is not closed with '}}' on its line"),
        ("Hi {{customer.name\n}}", "is not closed with '}}' on its line"),
        ("Hi {{ {{customer.name}}", "'{{' at line 1, column 4 is not closed"),
        ("Hi customer.name}} there", "'}}' at line 1, column 17 closes no placeholder"),
        ("Hi {{}}", "'{{}}' at line 1, column 4 is not a placeholder"),
        ("Hi {{customer name}}", "'{{customer name}}' at line 1, column 4 is not a placeholder"),
    ],
)  # fmt: skip
def test_malformed_templates_are_refused_with_where_and_what_is_valid(
    template: str, expected: str
) -> None:
    with pytest.raises(InvalidTemplate) as refused:
        check_template(template)
    assert expected in str(refused.value)
    assert refused.value.field == "body"
    assert isinstance(refused.value, DeskError)


def test_unknown_placeholder_lists_every_valid_one() -> None:
    with pytest.raises(InvalidTemplate) as refused:
        check_template("{{ticket.number}}")
    for name in PLACEHOLDERS:
        assert "{{" + name + "}}" in str(refused.value)


def test_empty_and_oversized_bodies_are_refused() -> None:
    with pytest.raises(InvalidTemplate, match="the body is empty"):
        check_template(" \n\n  ")
    with pytest.raises(InvalidTemplate, match="the limit is 16 KiB"):
        check_template("x" * (MAX_TEMPLATE_BYTES + 1))


def test_bodies_are_normalised() -> None:
    assert check_template("\r\n\nHi  \r\nthere\t\n\n") == "Hi\nthere"


def test_titles() -> None:
    assert check_title("  Refund \n approved ") == "Refund approved"
    with pytest.raises(InvalidMacro, match="the title is empty") as refused:
        check_title("  ")
    assert refused.value.field == "title"
    with pytest.raises(InvalidMacro, match=f"the limit is {MAX_TITLE_LENGTH}"):
        check_title("x" * (MAX_TITLE_LENGTH + 1))


# --------------------------------------------------------------------------- actions


def test_actions_are_parsed_and_normalised() -> None:
    actions = parse_actions(
        {"status": "Pending", "priority": "high", "add_tags": ["VIP Customer", "refund", "refund"],
         "remove_tags": "spam junk", "group": " Billing "}
    )  # fmt: skip
    assert actions == MacroActions("pending", "high", ("vip-customer", "refund"),
                                   ("spam", "junk"), "Billing")  # fmt: skip
    assert actions.to_json() == {
        "status": "pending",
        "priority": "high",
        "add_tags": ["vip-customer", "refund"],
        "remove_tags": ["spam", "junk"],
        "group": "Billing",
    }
    assert actions.describe() == (
        "status → pending, priority → high, +vip-customer, +refund, -spam, -junk, group → Billing"
    )
    assert parse_actions({}) == MacroActions()
    assert MacroActions().to_json() == {}
    assert MacroActions().describe() == ""


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"stauts": "open"}, "actions", "unknown action 'stauts'; macro actions are: status, "
         "priority, add_tags, remove_tags, group"),
        ({"status": "done"}, "actions.status", "unknown status 'done'; use one of: open, pending"),
        ({"status": "new"}, "actions.status", "unknown status 'new'"),
        ({"status": 3}, "actions.status", "unknown status 3"),
        ({"priority": "asap"}, "actions.priority", "unknown priority 'asap'; use one of: low"),
        ({"add_tags": ["ok", "no/slash"]}, "actions.add_tags", "contains '/'"),
        ({"remove_tags": [1]}, "actions.remove_tags", "tags must be a list of text"),
        ({"add_tags": [f"t{n}" for n in range(MAX_ACTION_TAGS + 1)]}, "actions.add_tags",
         f"at most {MAX_ACTION_TAGS} tags"),
        ({"add_tags": ["a", "b"], "remove_tags": ["b"]}, "actions.remove_tags",
         "tag 'b' is both added and removed"),
        ({"group": 7}, "actions.group", "the group must be a group's name"),
    ],
)  # fmt: skip
def test_bad_actions_are_refused_naming_the_field(
    raw: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(InvalidMacro) as refused:
        parse_actions(raw)
    assert message in str(refused.value)
    assert refused.value.field == field


def test_check_macro_checks_title_then_body_then_actions() -> None:
    draft = check_macro(" Hello ", "Hi {{customer.name}}\n", {"status": "solved"}, shared=True)
    assert (draft.title, draft.body, draft.actions.status, draft.shared) == (
        "Hello",
        "Hi {{customer.name}}",
        "solved",
        True,
    )
    with pytest.raises(InvalidMacro) as refused:
        check_macro("", "{{x.y}}", {"status": "x"}, shared=False)
    assert refused.value.field == "title"
    with pytest.raises(InvalidMacro) as refused:
        check_macro("T", "{{x.y}}", {"status": "x"}, shared=False)
    assert refused.value.field == "body"
