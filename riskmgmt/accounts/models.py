from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person who logs in: staff, managers, quality coordinators, ledningsgrupp."""

    job_title = models.CharField(_("befattning"), max_length=120, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")
        ordering = ["first_name", "last_name", "username"]

    @property
    def full_name(self) -> str:
        return self.get_full_name() or self.username

    def __str__(self) -> str:
        return self.full_name
