"""The organisation registry (`seeds/organisations.yaml`): who makes models, under which names.

Maintainers keep it. Each organisation has its names (English, Chinese, other spellings)
and the hub namespaces it publishes under (`meta-llama`, `Qwen`); the API vendor part of a
model id (`openai/gpt-4`) counts as a namespace too. validate uses it to tell who may
speak for whom (builder/check/organisation_rules.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    """The name shown on the English site, and the usual `organisation` of its model records."""
    name_zh: str
    other_names: tuple[str, ...]
    """Other names and spellings that refer to it, in any language."""
    namespaces: tuple[str, ...]
    """Hub namespaces (and API vendor ids) under which its models are published."""

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a model record may give as this organisation, without repeats."""
        return tuple(dict.fromkeys((self.name, self.name_zh, *self.other_names)))


@dataclass(frozen=True, eq=False)  # hashed by identity: rules cache their indexes per registry, cheaply
class Organisations:
    organisations: tuple[Organisation, ...]

    def owner_of(self, namespace: str) -> Organisation | None:
        """The organisation that registered exactly this namespace."""
        return self._by_namespace.get(namespace)

    def get(self, organisation_id: str) -> Organisation | None:
        return self._by_id.get(organisation_id)

    @cached_property
    def _by_namespace(self) -> dict[str, Organisation]:
        return {namespace: org for org in self.organisations for namespace in org.namespaces}

    @cached_property
    def _by_id(self) -> dict[str, Organisation]:
        return {org.id: org for org in self.organisations}


EMPTY_ORGANISATIONS = Organisations(())
"""No organisation registered: then nobody can be impersonated, and nothing is refused."""


def organisations_from_data(data: dict[str, Any]) -> Organisations:
    """Build from schema-valid data."""
    return Organisations(tuple(
        Organisation(
            id=entry["id"], name=entry["name"], name_zh=entry["name_zh"],
            other_names=tuple(entry.get("other_names", ())), namespaces=tuple(entry["namespaces"]),
        )
        for entry in data["organisations"]
    ))
