"""A snapshot of the organisation tables, to show that a command changed nothing."""

from django.contrib.auth import get_user_model

from riskmgmt.organisation.models import Membership, Process, Unit


def organisation_state() -> dict:
    """Every row of units, processes, memberships and users, and the history row counts."""
    User = get_user_model()
    models = {"unit": Unit, "process": Process, "membership": Membership, "user": User}
    state = {}
    for name, model in models.items():
        state[name] = list(model.objects.order_by("pk").values())
        state[f"{name}_history"] = model.history.count()
    return state
