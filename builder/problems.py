"""Problems found in contributors' files, and the three ways to print them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, located as precisely as we can."""

    path: str
    """Repository-relative path with forward slashes."""
    line: int
    """1-based line; 0 when the problem concerns the file as a whole."""
    json_path: str
    """`$.scores.gsm8k.value`, or "" for problems that are not about a field."""
    message: str
    """What is wrong, in the contributor's words."""
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" {self.json_path}:" if self.json_path else ""
        tag = " warning:" if self.severity is Severity.WARNING else ""
        return f"{where}:{tag}{field} {self.message}"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`1 file`, `2 files`, `1,024 entries`: a count with its noun in the right number."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"


def json_path(parts: Iterable[object]) -> str:
    """`("scores", "gsm8k", "value")` -> `$.scores.gsm8k.value`; list indexes in brackets."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.replace("_", "a").replace("-", "a").isalnum() and part.isascii():
            out += f".{part}"
        else:
            out += "[" + json.dumps(part, ensure_ascii=True) + "]"
    return out


MAX_SHOWN_PER_FILE = 50
"""Problems printed per file; the rest are counted in one line. 300,000 invalid items once printed 39 MB."""


def shown(problems: list[Problem]) -> list[Problem]:
    """The first MAX_SHOWN_PER_FILE problems of each file, each file's followed by one line counting the rest."""
    totals: dict[str, list[int]] = {}
    for p in problems:
        counts = totals.setdefault(p.path, [0, 0])
        counts[p.severity is Severity.WARNING] += 1
    seen: dict[str, int] = {}
    out = []
    for p in problems:
        seen[p.path] = seen.get(p.path, 0) + 1
        if seen[p.path] <= MAX_SHOWN_PER_FILE:
            out.append(p)
        if seen[p.path] == MAX_SHOWN_PER_FILE and sum(totals[p.path]) > MAX_SHOWN_PER_FILE:
            errors, warnings = totals[p.path]
            rest = errors + warnings - MAX_SHOWN_PER_FILE
            out.append(Problem(p.path, 0, "", f"{counted(rest, 'more problem')} in this file are not shown ({counted(errors, 'error')} and "
                                              f"{counted(warnings, 'warning')} in all); fix these first",
                               Severity.ERROR if errors else Severity.WARNING))
    return out


def format_text(problems: list[Problem]) -> str:
    return "".join(f"{p}\n" for p in shown(problems))


def _github_escape(text: str, *, property_value: bool = False) -> str:
    # GitHub's workflow-command escaping (actions/toolkit: escapeData / escapeProperty).
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(problems: list[Problem]) -> str:
    """Workflow commands that GitHub Actions shows as annotations on the pull request."""
    lines = []
    for p in shown(problems):
        command = "error" if p.severity is Severity.ERROR else "warning"
        props = f"file={_github_escape(p.path, property_value=True)}"
        if p.line:
            props += f",line={p.line}"
        message = f"{p.json_path}: {p.message}" if p.json_path else p.message
        lines.append(f"::{command} {props}::{_github_escape(message)}\n")
    return "".join(lines)


def format_json(problems: list[Problem], files_checked: int) -> str:
    records = [{**asdict(p), "severity": p.severity.value} for p in shown(problems)]
    summary = {
        "files_checked": files_checked,
        "errors": sum(p.severity is Severity.ERROR for p in problems),
        "warnings": sum(p.severity is Severity.WARNING for p in problems),
        "problems": records,
    }
    return json.dumps(summary, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
