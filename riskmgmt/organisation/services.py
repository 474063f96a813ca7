"""Writes to the organisation: provisioning from YAML and adding members.

Both validate everything first and change nothing when any part is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from riskmgmt.core.errors import ApplicationError

from .models import Membership, Process, Unit, code_validator

UNIT_KEYS = {"code", "name", "kind", "processes", "children"}
PROCESS_KEYS = {"name", "parent"}


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    processes_created: int = 0
    processes_updated: int = 0


def _check_length(value: str, model, key: str, where: str, errors: list[str]) -> None:
    limit = model._meta.get_field(key).max_length
    if len(value) > limit:
        errors.append(
            _("%(where)s: %(key)s får vara högst %(max)s tecken.")
            % {"where": where, "key": key, "max": limit}
        )


def _unit_specs(node: Any, where: str, seen: set[str], errors: list[str]) -> None:
    """Validates one unit mapping and its children, appending readable errors."""
    if not isinstance(node, dict):
        errors.append(_("%(where)s: en enhet måste vara en mappning med code, name och kind.") % {"where": where})
        return
    unknown = set(node) - UNIT_KEYS
    if unknown:
        errors.append(_("%(where)s: okända nycklar: %(keys)s.") % {"where": where, "keys": ", ".join(sorted(unknown))})
    code = node.get("code")
    where = f"{where} ({code})" if code else where
    for key in ("code", "name", "kind"):
        if not node.get(key) or not isinstance(node.get(key), str):
            errors.append(_("%(where)s: %(key)s saknas.") % {"where": where, "key": key})
        elif key in ("code", "name"):
            _check_length(node[key], Unit, key, where, errors)
    if isinstance(code, str) and code:
        try:
            code_validator(code)
        except ValidationError:
            errors.append(_("%(where)s: ogiltig kod ”%(code)s” (små bokstäver, siffror, bindestreck).") % {"where": where, "code": code})
        if code in seen:
            errors.append(_("%(where)s: koden ”%(code)s” förekommer två gånger.") % {"where": where, "code": code})
        seen.add(code)
    if node.get("kind") and node.get("kind") not in Unit.Kind.values:
        errors.append(
            _("%(where)s: okänd typ ”%(kind)s”; tillåtna: %(allowed)s.")
            % {"where": where, "kind": node.get("kind"), "allowed": ", ".join(Unit.Kind.values)}
        )
    processes = node.get("processes") or []
    if not isinstance(processes, list):
        errors.append(_("%(where)s: processes måste vara en lista.") % {"where": where})
        processes = []
    names: set[str] = set()
    parents: dict[str, tuple[int, Any]] = {}
    for i, process in enumerate(processes, start=1):
        pwhere = _("%(where)s, process %(n)s") % {"where": where, "n": i}
        if not isinstance(process, dict) or not isinstance(process.get("name"), str) or not process.get("name"):
            errors.append(_("%(where)s: name saknas.") % {"where": pwhere})
            continue
        if set(process) - PROCESS_KEYS:
            errors.append(_("%(where)s: okända nycklar: %(keys)s.") % {"where": pwhere, "keys": ", ".join(sorted(set(process) - PROCESS_KEYS))})
        _check_length(process["name"], Process, "name", pwhere, errors)
        if process["name"] in names:
            errors.append(
                _("%(where)s: processen ”%(name)s” förekommer två gånger.")
                % {"where": pwhere, "name": process["name"]}
            )
        names.add(process["name"])
        if process.get("parent"):
            parents[process["name"]] = (i, process["parent"])
    for name, (i, parent) in parents.items():
        if not isinstance(parent, str) or parent not in names:
            errors.append(
                _("%(where)s, process %(n)s: överordnad process ”%(parent)s” finns inte i enheten.")
                % {"where": where, "n": i, "parent": parent}
            )
            continue
        # Follow the parents up; coming back to this process is a cycle.
        seen, current = {name}, parent
        while current in parents and current not in seen:
            seen.add(current)
            current = parents[current][1]
        if current == name:
            errors.append(
                _("%(where)s, process %(n)s: processen ”%(name)s” kan inte ligga under sig själv.")
                % {"where": where, "n": i, "name": name}
            )
    children = node.get("children") or []
    if not isinstance(children, list):
        errors.append(_("%(where)s: children måste vara en lista.") % {"where": where})
        return
    for i, child in enumerate(children, start=1):
        _unit_specs(child, f"{where} → {_('underenhet')} {i}", seen, errors)


def organisation_validate(data: Any) -> list[str]:
    """Every problem with an organisation document, in Swedish; empty when it can be loaded."""
    if not isinstance(data, list) or not data:
        return [_("Filen måste innehålla en lista med minst en rotenhet.")]
    errors: list[str] = []
    seen: set[str] = set()
    for i, root in enumerate(data, start=1):
        _unit_specs(root, _("Rotenhet %(n)s") % {"n": i}, seen, errors)
    return errors


def organisation_parse(text: str) -> Any:
    """Parses YAML; a syntax error becomes an ApplicationError naming the line."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("rad %(line)s") % {"line": mark.line + 1} if mark else _("okänd rad")
        raise ApplicationError(
            _("Filen är inte giltig YAML (%(where)s): %(problem)s")
            % {"where": where, "problem": getattr(exc, "problem", exc)}
        ) from exc


def _upsert_unit(spec: dict, parent: Unit | None, result: LoadResult) -> Unit:
    unit = Unit.objects.filter(code=spec["code"]).first()
    if unit is None:
        unit = Unit(code=spec["code"])
        result.created.append(spec["code"])
    elif (unit.name, unit.kind, unit.parent_id, unit.is_active) != (
        spec["name"], spec["kind"], parent.pk if parent else None, True
    ):
        result.updated.append(spec["code"])
    else:
        return _upsert_processes(unit, spec, result)
    unit.name, unit.kind, unit.parent, unit.is_active = spec["name"], spec["kind"], parent, True
    unit._change_reason = "load_organisation"
    unit.save()
    return _upsert_processes(unit, spec, result)


def _upsert_processes(unit: Unit, spec: dict, result: LoadResult) -> Unit:
    by_name = {p.name: p for p in Process.objects.filter(unit=unit)}
    specs = {p["name"]: p for p in spec.get("processes") or []}
    done: set[str] = set()

    def upsert(name: str) -> None:
        # Parents first, so a child can point at a process created in the same run, wherever
        # it is listed (the validation has refused cycles and unknown parents).
        if name in done:
            return
        done.add(name)
        process_spec = specs[name]
        if process_spec.get("parent"):
            upsert(process_spec["parent"])
        process = by_name.get(name)
        parent = by_name[process_spec["parent"]] if process_spec.get("parent") else None
        if process is None:
            process = Process(unit=unit, name=name)
            result.processes_created += 1
        elif process.parent_id == (parent.pk if parent else None) and process.is_active:
            return
        else:
            result.processes_updated += 1
        process.parent, process.is_active = parent, True
        process._change_reason = "load_organisation"
        process.save()
        by_name[name] = process

    for name in specs:
        upsert(name)
    for child in spec.get("children") or []:
        _upsert_unit(child, unit, result)
    return unit


def organisation_load(*, data: Any) -> LoadResult:
    """Creates or updates units and processes by code; all or nothing, idempotent."""
    errors = organisation_validate(data)
    if errors:
        raise ApplicationError("\n".join(errors))
    result = LoadResult()
    with transaction.atomic():
        for root in data:
            _upsert_unit(root, None, result)
    return result


def member_add(
    *, username: str, unit_code: str, role: str, email: str = "", password: str | None = None,
    first_name: str = "", last_name: str = "", job_title: str = "",
) -> Membership:
    """Creates the user if missing and gives them `role` on the unit; idempotent."""
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None:
        raise ApplicationError(_("Okänd enhetskod: ”%(code)s”.") % {"code": unit_code})
    if role not in Membership.Role.values:
        raise ApplicationError(
            _("Okänd roll: ”%(role)s”; tillåtna: %(allowed)s.")
            % {"role": role, "allowed": ", ".join(Membership.Role.values)}
        )
    if not username or not username.strip():
        raise ApplicationError(_("Användarnamn saknas."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApplicationError(_("Ogiltig e-postadress: ”%(email)s”.") % {"email": email}) from None
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=email, first_name=first_name,
                        last_name=last_name, job_title=job_title)
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user._change_reason = "add_member"
            user.save()
        else:
            changed = False
            for attr, value in (("email", email), ("first_name", first_name),
                                ("last_name", last_name), ("job_title", job_title)):
                if value and getattr(user, attr) != value:
                    setattr(user, attr, value)
                    changed = True
            if password and not user.check_password(password):
                user.set_password(password)
                changed = True
            if changed:
                user._change_reason = "add_member"
                user.save()
        membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
        if not created and not membership.is_active:
            membership.is_active = True
            membership._change_reason = "add_member"
            membership.save()
    return membership
