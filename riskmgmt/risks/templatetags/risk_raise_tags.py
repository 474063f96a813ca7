"""`{% raise_panel obj as panel %}`: the "Lyft som risk" panel's facts on a source's page."""

from django import template

from riskmgmt.risks.raise_views import RaiseForm, raise_panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def raise_panel(context, obj) -> dict:
    """The risks raised from `obj` that the user may see, and the short form for its managers."""
    panel = raise_panel_context(context["request"].user, obj)
    if panel.get("can_raise") and not panel["raised_this_year"]:
        source = panel["raise_source"]
        panel["form"] = RaiseForm(unit=source.unit_of(obj), initial=panel["initial"])
    return panel
