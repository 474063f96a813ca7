"""Shared template tags for the web UI: form error summaries, pagination, the dev demo box.

Load with `{% load ui %}`. The partials in templates/_partials/ use these; feature templates
normally include the partials rather than calling the tags directly.
"""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def form_error_items(form) -> list[dict]:
    """Every error of a bound form as {"href", "label", "message"}, non-field errors first.

    `href` points at the field's input (None for non-field and hidden-field errors), so the
    error summary can link each message to the place where it is fixed.
    """
    if form is None or not getattr(form, "is_bound", False) or not form.errors:
        return []
    items = [{"href": None, "label": "", "message": error} for error in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            hidden = field.is_hidden
            # A radio or checkbox group has no single input; link to its first option.
            target = field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else "")
            items.append(
                {
                    "href": None if hidden or not target else f"#{target}",
                    "label": "" if hidden else field.label,
                    "message": error,
                }
            )
    return items


@register.simple_tag
def page_range(page_obj, on_each_side: int = 2, on_ends: int = 1) -> list:
    """The page numbers to show around the current page, with Paginator.ELLIPSIS for gaps."""
    if page_obj is None:
        return []
    return list(
        page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=on_each_side, on_ends=on_ends
        )
    )


@register.inclusion_tag("registration/_demo_logins.html")
def demo_logins() -> dict:
    """The demo accounts for the login page, only in development (DEBUG and a DEMO_PASSWORD).

    Production never has DEMO_PASSWORD, so the box and the password cannot leak there.
    """
    password = getattr(settings, "DEMO_PASSWORD", "")
    if not (settings.DEBUG and password):
        return {"demo": None}

    from riskmgmt.organisation.demo import demo_users
    from riskmgmt.organisation.models import Membership, Unit

    specs = demo_users()
    unit_names = dict(
        Unit.objects.filter(code__in={spec["unit"] for spec in specs}).values_list("code", "name")
    )
    roles = dict(Membership.Role.choices)
    users = [
        {
            "username": spec["username"],
            "name": f"{spec['first_name']} {spec['last_name']}",
            "role": roles.get(spec["role"], spec["role"]),
            "unit": unit_names.get(spec["unit"], spec["unit"]),
        }
        for spec in specs
    ]
    # One account per role up front (in role order), the full list folded away.
    first_per_role: dict[str, dict] = {}
    for spec, user in zip(specs, users, strict=True):
        first_per_role.setdefault(spec["role"], user)
    featured = [first_per_role[role] for role in roles if role in first_per_role]
    return {
        "demo": {
            "password": password,
            "featured": featured,
            "users": users,
            "seeded": bool(unit_names),
        }
    }
