from django import template

from riskmgmt.actions.models import Action
from riskmgmt.actions.sources import action_source_for_model

register = template.Library()


@register.simple_tag
def strength_help() -> list[tuple[str, str]]:
    """(label, explanation) for each strength, strongest first (DOMAIN.md §3.6)."""
    return [(label, Action.STRENGTH_HELP[value]) for value, label in Action.Strength.choices]


@register.inclusion_tag("actions/_action_panel.html", takes_context=True)
def action_panel(context, source_obj) -> dict:
    """The source page's list of actions with an add form: `{% action_panel deviation %}`."""
    from riskmgmt.actions.views import _panel_context

    request = context["request"]
    source = action_source_for_model(type(source_obj))
    # After a refused POST the page is re-rendered at the POST's URL; come back to the source.
    back = request.get_full_path() if request.method == "GET" else source.url_of(source_obj)
    return {"request": request, "csrf_token": context.get("csrf_token"),
            **_panel_context(request, source, source_obj, back)}
