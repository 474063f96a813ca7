"""What may own actions. Source apps register here, so `actions` never imports them.

A source says which unit it belongs to (for scoping and escalation), who may add actions
to it (managers of its unit by default; an event analysis also lets its lead and team),
how to fetch it for a user (its access gate, 404 outside scope) and how to link to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class ActionSource:
    key: str  # the API's source_type, e.g. "deviation"
    model: type[models.Model]
    label: str  # Swedish, e.g. "Avvikelse"
    unit_of: Callable[[Any], Any]
    get_for_user: Callable[[Any, Any], Any]  # (user, pk) -> obj, raises Http404
    can_add: Callable[[Any, Any], bool]  # (user, obj) -> bool
    title_of: Callable[[Any], str] = str  # no personal data: a reference and a title
    url_of: Callable[[Any], str] = lambda obj: obj.get_absolute_url()
    extra_viewers: Callable[[Any, Any], bool] | None = None  # (user, obj): e.g. an analysis team


_SOURCES: dict[str, ActionSource] = {}


def register_action_source(source: ActionSource) -> None:
    _SOURCES[source.key] = source


def action_source(key: str) -> ActionSource | None:
    return _SOURCES.get(key)


def action_source_for_model(model: type[models.Model]) -> ActionSource | None:
    for source in _SOURCES.values():
        if source.model is model or source.model._meta.concrete_model is model:
            return source
    return None


def action_source_keys() -> list[str]:
    return list(_SOURCES)
