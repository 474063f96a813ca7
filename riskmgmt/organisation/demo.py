"""Demo organisation and users for seed_demo, built with the operators' provisioning services."""

from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model

from .services import member_add, organisation_load, organisation_parse

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def demo_users() -> list[dict]:
    return yaml.safe_load((FIXTURES / "demo_users.yaml").read_text(encoding="utf-8"))


def seed_organisation(*, password: str) -> None:
    """Loads the demo units, processes and users; running it again changes nothing."""
    organisation_load(data=organisation_parse((FIXTURES / "organisation.yaml").read_text(encoding="utf-8")))
    for spec in demo_users():
        member_add(
            username=spec["username"],
            unit_code=spec["unit"],
            role=spec["role"],
            email=f"{spec['username']}@demo.riskmgmt.se",
            password=password,
            first_name=spec["first_name"],
            last_name=spec["last_name"],
            job_title=spec["job_title"],
        )
    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        User.objects.create_superuser("admin", "admin@demo.riskmgmt.se", password,
                                      first_name="Systemadministratör")
    elif not admin.check_password(password):
        admin.set_password(password)
        admin.save()
