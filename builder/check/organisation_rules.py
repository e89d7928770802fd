"""Who may speak for whom: model records and reported runs against the organisation registry.

- A model under a registered namespace gives one of that organisation's names.
- A model under any other namespace may not give a registered organisation's name, nor a
  look-alike of one (`МЕТА` in Cyrillic, `Alibaba-Qwen`), and its namespace may not look
  like a registered one (`meta-IIama`).
- A reported run in results/ may not name a registered organisation as its publisher:
  the numbers the makers published are added by maintainers, under seeds/.

Names are compared by their skeletons (builder/check/confusables.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import Any

from builder.check.confusables import skeleton
from builder.check.text_rules import look_alike_problem
from builder.load.layout import ORGANISATIONS_FILE
from builder.load.organisations import Organisation, Organisations
from builder.problems import Severity

Finding = tuple[tuple[Any, ...], str, Severity]

_ASK = f"a new namespace or name needs a maintainer's entry in {ORGANISATIONS_FILE}"


@cache
def _by_name(organisations: Organisations) -> dict[str, tuple[Organisation, str]]:
    """Skeleton of every registered name -> (its organisation, the name as registered)."""
    return {skeleton(name): (org, name) for org in reversed(organisations.organisations) for name in reversed(org.names)}


@cache
def _by_namespace(organisations: Organisations) -> dict[str, tuple[Organisation, str]]:
    """Skeleton of every registered namespace and name -> (its organisation, that namespace or name)."""
    return {**_by_name(organisations),
            **{skeleton(ns): (org, ns) for org in reversed(organisations.organisations) for ns in reversed(org.namespaces)}}


_WORD = re.compile(r"[^\W_]+")


def claimed_organisation(text: str, organisations: Organisations) -> tuple[Organisation, str, str] | None:
    """(organisation, its registered name, the words of `text` that claim it) when `text` is, looks
    like, or has among its words a registered organisation's name (`Meta (official)`, `Qwen fans`)."""
    names = _by_name(organisations)
    folded = skeleton(text)
    if folded in names:
        return (*names[folded], text)
    words = list(_WORD.finditer(unicodedata.normalize("NFKC", text)))
    folded_words = [skeleton(word.group()) for word in words]
    for length in range(len(words) - 1, 0, -1):  # the longest claim first: 'Alibaba Qwen' before 'Qwen'
        for start in range(len(words) - length + 1):
            found = names.get("".join(folded_words[start:start + length]))
            if found:
                return (*found, unicodedata.normalize("NFKC", text)[words[start].start():words[start + length - 1].end()])
    return None


def _who(text: str, org: Organisation, name: str, part: str) -> str:
    """`'Meta' is a registered organisation`, `'МЕТА' looks like 'Meta', a registered organisation`, ..."""
    what = "a registered organisation" if name == org.name else f"a name of {org.name}"
    if part != text:
        return f"'{text}' names '{part}', which " + (f"is {what}" if part == name else f"looks like '{name}', {what}")
    if text == name:
        return f"'{text}' is {what}"
    return f"'{text}' looks like '{name}', {what}"


def model_findings(data: dict[str, Any], organisations: Organisations) -> Iterator[Finding]:
    """A model record's organisation and namespace against the registry."""
    namespace = data["id"].split("/", 1)[0]
    organisation = data["organisation"]
    if look_alike_problem(organisation):
        return  # file_rules already refuses the name itself
    owner = organisations.owner_of(namespace)
    if owner is not None:
        if organisation not in owner.names:
            claimed = claimed_organisation(organisation, organisations)
            hint = f" ('{organisation}' looks like '{claimed[1]}')" if claimed and claimed[0] is owner and claimed[2] == organisation else ""
            yield (("organisation",), f"'{organisation}' is not a name of {owner.name}, whose hub namespace '{namespace}' this model "
                   f"is under{hint}; write one of: {', '.join(owner.names)}", Severity.ERROR)
        return
    folded = skeleton(namespace)
    like = _by_namespace(organisations).get(folded) if folded else None
    if like is not None:
        org, registered = like
        yield (("id",), f"namespace '{namespace}' looks like '{registered}' of {org.name} but is not one of its namespaces "
               f"({', '.join(org.namespaces)}); {_ASK}", Severity.ERROR)
        return
    claimed = claimed_organisation(organisation, organisations)
    if claimed is not None:
        org, name, part = claimed
        yield (("organisation",), f"{_who(organisation, org, name, part)}, whose models are published under {', '.join(org.namespaces)}, "
               f"not under '{namespace}'; {_ASK}", Severity.ERROR)


def reported_run_findings(data: dict[str, Any], organisations: Organisations) -> Iterator[Finding]:
    """A reported run in results/ (a contributor's file) that names a registered organisation as its publisher."""
    provenance = data["provenance"]
    if provenance["kind"] != "reported":
        return
    publisher = provenance["source"]["publisher"]
    if look_alike_problem(publisher):
        return  # file_rules already refuses the name itself
    claimed = claimed_organisation(publisher, organisations)
    if claimed is not None:
        org, name, part = claimed
        yield (("provenance", "source", "publisher"),
               f"{_who(publisher, org, name, part)}: the numbers an organisation publishes are added by maintainers under seeds/, "
               "not in results/; submit your own lm-eval run instead",
               Severity.ERROR)


def registry_findings(data: dict[str, Any]) -> Iterator[Finding]:
    """The registry itself: unique ids, and no name or namespace that passes for another organisation's."""
    seen_ids: set[str] = set()
    owners: dict[str, tuple[int, str, str]] = {}  # skeleton -> (entry, its id, name or namespace as written)
    for index, entry in enumerate(data["organisations"]):
        at = ("organisations", index)
        if entry["id"] in seen_ids:
            yield (*at, "id"), f"organisation '{entry['id']}' is defined twice", Severity.ERROR
        seen_ids.add(entry["id"])
        fields = [("name", None, entry["name"]), ("name_zh", None, entry["name_zh"])]
        fields += [("other_names", i, name) for i, name in enumerate(entry.get("other_names", []))]
        fields += [("namespaces", i, ns) for i, ns in enumerate(entry["namespaces"])]
        for field, position, text in fields:
            path = (*at, field) if position is None else (*at, field, position)
            why = look_alike_problem(text)
            if why:
                yield path, f"'{text}' {why}", Severity.ERROR
                continue
            folded = skeleton(text)
            if not folded:
                yield path, f"'{text}' has no letters or digits to compare", Severity.ERROR
                continue
            owner = owners.setdefault(folded, (index, entry["id"], text))
            if owner[0] != index:
                yield path, f"'{text}' looks like '{owner[2]}' of organisation '{owner[1]}'", Severity.ERROR
