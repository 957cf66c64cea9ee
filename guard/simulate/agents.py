"""Agent runs: tool definitions, tool calls and tool results, rendered in each API's format.

An agent framework sends one request per step of a run, each carrying the whole transcript so
far; the user's task appears once and the rest is machine traffic (calls and results), which
is what separates it from a sweep despite the automated cadence.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from guard.simulate.bodies import Style
from guard.simulate.documents import person_name
from guard.simulate.phrasing import pick

__all__ = ["TOOLSETS", "Step", "Toolset", "render_agent", "run_steps"]

# A transcript entry: ("user", text) | ("call", name, args_json, id) | ("result", id, text)
Step = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    params: dict[str, str]  # name -> JSON type


@dataclass(frozen=True, slots=True)
class Toolset:
    name: str
    system: str
    tools: tuple[Tool, ...]
    task: Callable[[random.Random], str]
    plan: Callable[[random.Random], list[tuple[str, dict[str, Any], str]]]


_REPOS = ("billing-api", "web-dashboard", "etl-pipeline", "auth-service", "mobile-app")
_FILES = (
    "src/utils/dates.py",
    "src/api/handlers.ts",
    "lib/parser.rb",
    "pkg/cache/lru.go",
    "src/models/user.py",
    "app/services/mailer.py",
    "src/components/Table.tsx",
)
_CITIES = ("Lisbon", "Denver", "Osaka", "Berlin", "Toronto", "Cape Town", "Bogota", "Hanoi")
_TABLES = ("orders", "customers", "events", "subscriptions", "invoices", "sessions")


_CODE_LINES = ("import os", "def f(x):", "    return x", "class A:", "    pass", "# TODO")


def _coding_task(rng: random.Random) -> str:
    return rng.choice(
        (
            f"The test test_{pick(rng, ('parse', 'retry', 'format', 'merge', 'timeout'))} in "
            f"{pick(rng, _REPOS)} is failing on CI. Find out why and fix it.",
            f"Add input validation to the create endpoint in {pick(rng, _FILES)}.",
            f"Refactor {pick(rng, _FILES)} to remove the duplicated date handling.",
            f"Upgrade the {pick(rng, ('requests', 'lodash', 'pydantic', 'react-router'))} "
            "dependency and fix anything that breaks.",
        )
    )


def _coding_plan(rng: random.Random) -> list[tuple[str, dict[str, Any], str]]:
    path = pick(rng, _FILES)
    steps: list[tuple[str, dict[str, Any], str]] = [
        (
            "search_code",
            {"query": pick(rng, ("def parse", "retry(", "TODO", "timezone", "validate"))},
            f"{path}:{rng.randint(10, 300)}: ...\n{pick(rng, _FILES)}:{rng.randint(10, 300)}: ...",
        ),
        (
            "read_file",
            {"path": path},
            "\n".join(f"{i}: {pick(rng, _CODE_LINES)}" for i in range(1, rng.randint(8, 30))),
        ),
    ]
    for _ in range(rng.randint(0, 2)):
        steps.append(
            ("edit_file", {"path": path, "old": "return x", "new": "return normalize(x)"}, "ok")
        )
        steps.append(
            (
                "run_tests",
                {"path": "tests/"},
                f"{rng.randint(20, 400)} passed, {rng.randint(0, 3)} failed in "
                f"{rng.uniform(1, 60):.2f}s",
            )
        )
    return steps


def _travel_task(rng: random.Random) -> str:
    a, b = rng.sample(_CITIES, 2)
    return rng.choice(
        (
            f"Find me a flight from {a} to {b} next {pick(rng, ('Friday', 'Monday', 'weekend'))} "
            "and check the weather there.",
            f"I'm going to {b} for {rng.randint(2, 9)} nights in "
            f"{pick(rng, ('May', 'June', 'October'))}. "
            "Suggest a hotel near the center under $200.",
            f"What's the cheapest way to get from {a} to {b} and will it rain?",
        )
    )


def _travel_plan(rng: random.Random) -> list[tuple[str, dict[str, Any], str]]:
    a, b = rng.sample(_CITIES, 2)
    date = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    steps: list[tuple[str, dict[str, Any], str]] = [
        (
            "search_flights",
            {"origin": a, "destination": b, "date": date},
            json.dumps(
                [
                    {
                        "flight": f"XY{rng.randint(100, 999)}",
                        "price": rng.randint(80, 900),
                        "depart": f"{rng.randint(6, 22)}:{rng.choice(('05', '30', '45'))}",
                    }
                    for _ in range(rng.randint(1, 4))
                ]
            ),
        ),
        (
            "get_weather",
            {"city": b, "date": date},
            json.dumps({"high_c": rng.randint(-5, 35), "rain_chance": rng.randint(0, 100)}),
        ),
    ]
    if rng.random() < 0.5:
        steps.append(
            (
                "search_hotels",
                {"city": b, "max_price": 200},
                json.dumps(
                    [
                        {
                            "name": f"Hotel {pick(rng, ('Central', 'Plaza', 'Garden'))}",
                            "price": rng.randint(60, 199),
                        }
                    ]
                ),
            )
        )
    return steps


def _support_task(rng: random.Random) -> str:
    order = rng.randint(100000, 999999)
    return rng.choice(
        (
            f"Customer says order {order} never arrived. Check it and refund if appropriate.",
            f"Where is my order #{order}?",
            f"I was charged twice for order {order}, please fix.",
            f"Can I return the shoes from order {order}? They don't fit.",
        )
    )


def _support_plan(rng: random.Random) -> list[tuple[str, dict[str, Any], str]]:
    order = str(rng.randint(100000, 999999))
    steps: list[tuple[str, dict[str, Any], str]] = [
        (
            "lookup_order",
            {"order_id": order},
            json.dumps(
                {
                    "status": pick(rng, ("shipped", "delivered", "processing", "lost")),
                    "total": round(rng.uniform(10, 400), 2),
                    "customer": person_name(rng),
                }
            ),
        ),
        (
            "search_kb",
            {"query": pick(rng, ("refund policy", "lost parcel", "returns window"))},
            "Refunds are issued within 5-10 business days. Lost parcels are refunded after 14 "
            "days.",
        ),
    ]
    if rng.random() < 0.4:
        steps.append(
            (
                "issue_refund",
                {"order_id": order, "amount": round(rng.uniform(10, 200), 2)},
                json.dumps({"ok": True, "refund_id": f"re_{rng.randrange(16**8):08x}"}),
            )
        )
    return steps


def _data_task(rng: random.Random) -> str:
    table = pick(rng, _TABLES)
    return rng.choice(
        (
            f"How many {table} did we have per week over the last quarter? Chart it.",
            f"Which region had the biggest drop in {table} last month?",
            "Give me the top 10 customers by revenue this year and plot it.",
        )
    )


def _data_plan(rng: random.Random) -> list[tuple[str, dict[str, Any], str]]:
    table = pick(rng, _TABLES)
    rows = [[f"2025-W{w:02d}", rng.randint(100, 9000)] for w in range(1, rng.randint(4, 14))]
    return [
        (
            "describe_table",
            {"table": table},
            "columns: id bigint, created_at timestamptz, region text, amount numeric",
        ),
        (
            "run_sql",
            {"query": f"SELECT date_trunc('week', created_at), count(*) FROM {table} GROUP BY 1"},
            json.dumps(rows),
        ),
        (
            "make_chart",
            {"kind": "line", "title": f"{table} per week"},
            json.dumps({"url": f"https://charts.internal/{rng.randrange(16**6):06x}.png"}),
        ),
    ]


def _tool(name: str, description: str, **params: str) -> Tool:
    return Tool(name, description, params)


TOOLSETS: tuple[Toolset, ...] = (
    Toolset(
        "coding",
        "You are a coding agent working in a git repository. Use the tools to inspect and change "
        "code. Run the tests before finishing.",
        (
            _tool("search_code", "Search the repository for a string.", query="string"),
            _tool("read_file", "Read a file.", path="string"),
            _tool(
                "edit_file", "Replace text in a file.", path="string", old="string", new="string"
            ),
            _tool("run_tests", "Run the test suite.", path="string"),
        ),
        _coding_task,
        _coding_plan,
    ),
    Toolset(
        "travel",
        "You are a travel booking assistant. Use the tools to look up live data. Never invent "
        "prices.",
        (
            _tool(
                "search_flights",
                "Search flights.",
                origin="string",
                destination="string",
                date="string",
            ),
            _tool("get_weather", "Weather forecast for a city.", city="string", date="string"),
            _tool("search_hotels", "Search hotels.", city="string", max_price="number"),
        ),
        _travel_task,
        _travel_plan,
    ),
    Toolset(
        "support",
        "You are a customer support agent for an online store. Use the tools to look up orders "
        "and policies. Only refund when policy allows it.",
        (
            _tool("lookup_order", "Get an order by id.", order_id="string"),
            _tool("search_kb", "Search the help center.", query="string"),
            _tool("issue_refund", "Refund an order.", order_id="string", amount="number"),
        ),
        _support_task,
        _support_plan,
    ),
    Toolset(
        "analytics",
        "You are a data analyst agent with read-only SQL access to the warehouse. Explain your "
        "findings briefly.",
        (
            _tool("describe_table", "Show a table's columns.", table="string"),
            _tool("run_sql", "Run a read-only SQL query.", query="string"),
            _tool("make_chart", "Render a chart.", kind="string", title="string"),
        ),
        _data_task,
        _data_plan,
    ),
)


def run_steps(rng: random.Random, toolset: Toolset) -> list[list[Step]]:
    """The transcripts of one run, one per request: each extends the previous one."""
    transcript: list[Step] = [("user", toolset.task(rng))]
    requests = [list(transcript)]
    for name, args, result in toolset.plan(rng):
        call_id = f"call_{rng.randrange(1 << 64):016x}"
        transcript.append(("call", name, json.dumps(args), call_id))
        transcript.append(("result", call_id, result))
        requests.append(list(transcript))
    return requests


def _schema(tool: Tool) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {k: {"type": v} for k, v in tool.params.items()},
        "required": list(tool.params),
    }


def _tools(api: str, toolset: Toolset) -> list[dict[str, Any]]:
    if api == "messages":
        return [
            {"name": t.name, "description": t.description, "input_schema": _schema(t)}
            for t in toolset.tools
        ]
    if api == "responses":
        return [
            {
                "type": "function",
                "name": t.name,
                "description": t.description,
                "parameters": _schema(t),
            }
            for t in toolset.tools
        ]
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": _schema(t)},
        }
        for t in toolset.tools
    ]


def _chat_messages(system: str, steps: Sequence[Step]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for step in steps:
        if step[0] == "user":
            messages.append({"role": "user", "content": step[1]})
        elif step[0] == "call":
            messages.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": step[3],
                            "type": "function",
                            "function": {"name": step[1], "arguments": step[2]},
                        }
                    ],
                }
            )
        else:
            messages.append({"role": "tool", "tool_call_id": step[1], "content": step[2]})
    return messages


def _anthropic_messages(steps: Sequence[Step]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for step in steps:
        if step[0] == "user":
            messages.append({"role": "user", "content": step[1]})
        elif step[0] == "call":
            messages.append(
                {
                    "role": "assistant",
                    "content": [
                        {
                            "type": "tool_use",
                            "id": step[3].replace("call_", "toolu_"),
                            "name": step[1],
                            "input": json.loads(step[2]),
                        }
                    ],
                }
            )
        else:
            messages.append(
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": step[1].replace("call_", "toolu_"),
                            "content": step[2],
                        }
                    ],
                }
            )
    return messages


def _response_items(steps: Sequence[Step]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for step in steps:
        if step[0] == "user":
            items.append({"role": "user", "content": step[1]})
        elif step[0] == "call":
            items.append(
                {"type": "function_call", "call_id": step[3], "name": step[1], "arguments": step[2]}
            )
        else:
            items.append({"type": "function_call_output", "call_id": step[1], "output": step[2]})
    return items


def render_agent(style: Style, toolset: Toolset, steps: Sequence[Step]) -> dict[str, Any]:
    """The body of one agent step in ``style``'s API (chat, messages or responses)."""
    body: dict[str, Any] = {"model": style.model}
    if style.api == "messages":
        body["max_tokens"] = style.max_tokens or 4096
        body["system"] = toolset.system
        body["tools"] = _tools("messages", toolset)
        body["messages"] = _anthropic_messages(steps)
    elif style.api == "responses":
        body["instructions"] = toolset.system
        body["tools"] = _tools("responses", toolset)
        body["input"] = _response_items(steps)
        if style.max_tokens is not None:
            body["max_output_tokens"] = style.max_tokens
    else:
        body["messages"] = _chat_messages(toolset.system, steps)
        body["tools"] = _tools("chat", toolset)
        body["tool_choice"] = "auto"
        if style.max_tokens is not None:
            body["max_tokens"] = style.max_tokens
    if style.temperature is not None:
        body["temperature"] = min(1.0, style.temperature)
    if style.stream:
        body["stream"] = True
    return body
