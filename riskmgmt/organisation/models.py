from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from riskmgmt.core.models import TimeStampedModel

PATH_SEPARATOR = "/"
code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]*\Z",  # \Z, not $: "$" also matches before a final newline
    _("Koden får bara innehålla små bokstäver a–z, siffror och bindestreck."),
)


class Unit(TimeStampedModel):
    """One node of the organisation tree: förvaltning → sektion → enhet.

    `path` is the codes from the root, each followed by "/", so a subtree is one indexed
    prefix query (`path LIKE 'sof/fam/%'`) and never a recursion in Python.
    """

    class Kind(models.TextChoices):
        ADMINISTRATION = "administration", _("Förvaltning")
        SECTION = "section", _("Sektion")
        UNIT = "unit", _("Enhet")

    code = models.CharField(_("kod"), max_length=50, unique=True, validators=[code_validator])
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("överordnad"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=600, editable=False)
    is_active = models.BooleanField(_("aktiv"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisatorisk enhet")
        verbose_name_plural = _("organisatoriska enheter")
        ordering = ["path"]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%'.
            models.Index(fields=["path"], name="unit_path_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count(PATH_SEPARATOR) - 1

    def clean(self) -> None:
        if self.pk and self.parent_id:
            stored_path = Unit.objects.filter(pk=self.pk).values_list("path", flat=True).first()
            if stored_path and self.parent.path.startswith(stored_path):
                raise ValidationError({"parent": _("En enhet kan inte ligga under sig själv.")})

    def save(self, *args, **kwargs) -> None:
        parent_path = self.parent.path if self.parent_id else ""
        new_path = f"{parent_path}{self.code}{PATH_SEPARATOR}"
        old_path = None
        if self.pk:
            old_path = Unit.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        with transaction.atomic():
            self.path = new_path
            super().save(*args, **kwargs)
            if old_path and old_path != new_path:
                # A rename or move: rewrite the descendants' paths, with history, one by one
                # (rare, and the tree is small).
                for child in Unit.objects.filter(parent=self):
                    child.save()

    def subtree(self) -> "models.QuerySet[Unit]":
        return Unit.objects.filter(path__startswith=self.path)

    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split(PATH_SEPARATOR) if code][:-1]

    def ancestors(self) -> "models.QuerySet[Unit]":
        return Unit.objects.filter(code__in=self.ancestor_codes())


class Process(TimeStampedModel):
    """A verksamhetsprocess owned by a unit; risks, deviations and requirements link to it."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("enhet"), on_delete=models.PROTECT, related_name="processes"
    )
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("överordnad process"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processer")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="process_unique_name_per_unit")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id:
            if self.parent.unit_id != self.unit_id:
                raise ValidationError(
                    {"parent": _("Den överordnade processen måste höra till samma enhet.")}
                )
            # Walk up from the new parent; meeting this process again would make a cycle.
            ancestor, seen = self.parent, set()
            while self.pk and ancestor is not None and ancestor.pk not in seen:
                if ancestor.pk == self.pk:
                    raise ValidationError(
                        {"parent": _("En process kan inte ligga under sig själv.")}
                    )
                seen.add(ancestor.pk)
                ancestor = ancestor.parent


class Membership(TimeStampedModel):
    """A user's role on a unit. A role held on a unit covers the unit's whole subtree."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Medarbetare")
        UNIT_MANAGER = "unit_manager", _("Enhetschef")
        SECTION_MANAGER = "section_manager", _("Sektionschef")
        QUALITY = "quality", _("Kvalitetssamordnare")
        MANAGEMENT = "management", _("Ledningsgrupp")

    MANAGER_ROLES = (Role.UNIT_MANAGER, Role.SECTION_MANAGER)
    OVERSIGHT_ROLES = (Role.QUALITY, Role.MANAGEMENT)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användare"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("enhet"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("aktiv"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["unit__path", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"], name="membership_unique_role_per_unit"
            )
        ]
        indexes = [models.Index(fields=["user", "is_active", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}, {self.unit}"
