from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created = models.DateTimeField(_("skapad"), default=timezone.now, editable=False)
    modified = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        abstract = True


class Transition(models.Model):
    """One state change of a workflow object: who, when, from, to, which transition, why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    target_object = GenericForeignKey("content_type", "object_id")
    name = models.CharField(_("övergång"), max_length=64)
    source = models.CharField(_("från"), max_length=64)
    target = models.CharField(_("till"), max_length=64)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utförd av"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("tidpunkt"), default=timezone.now)
    comment = models.TextField(_("kommentar"), blank=True)

    class Meta:
        verbose_name = _("statusövergång")
        verbose_name_plural = _("statusövergångar")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.name}: {self.source} → {self.target}"


class SerialCounter(models.Model):
    """The last serial handed out per key (e.g. "AVV-2026"), so references are gap-free.

    Not history-audited: it is locked and bumped inside the filing transaction.
    """

    key = models.CharField(max_length=40, unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("löpnummer")
        verbose_name_plural = _("löpnummer")

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"
