"""Trials, their variables and versioned criteria sets, stored as data (DESIGN.md, "Rule records").

A criterion's expression and applies-if conditions are stored in the JSON form of
`criteria.protocol`, so the evaluator, the protocol file and a decision's snapshot share one shape.
Published and retired sets are frozen here, in the model, so no form or script can edit them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from criteria import protocol
from criteria.derivations import CONTEXT
from criteria.exceptions import CriteriaSetFrozen
from criteria.translations import label_for


class Trial(models.Model):
    registry_id = models.CharField(max_length=32, unique=True, help_text="e.g. NCT01387295")
    title = models.TextField()
    sponsor_protocol_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["registry_id"]

    def __str__(self) -> str:
        return self.registry_id


class Variable(models.Model):
    class DataType(models.TextChoices):
        NUMBER = "number", _("Number")
        INTEGER = "integer", _("Whole number")
        BOOLEAN = "boolean", _("Yes / no")
        CHOICE = "choice", _("Choice")
        DATE = "date", _("Date")

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="variables")
    key = models.SlugField(max_length=64)
    label = models.CharField(max_length=200)
    help_text = models.TextField(blank=True)
    section = models.CharField(max_length=32)
    order = models.PositiveIntegerField(default=0)
    data_type = models.CharField(max_length=16, choices=DataType.choices)
    unit = models.CharField(max_length=32, blank=True)
    alt_units = models.JSONField(default=dict, blank=True)
    minimum = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    maximum = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    never_allowed = models.BooleanField(default=False)
    future_allowed = models.BooleanField(default=False)
    # A derived variable's kind and inputs, {"kind": "times_uln", "value": ..., "uln": ...}
    # (criteria.protocol.shape.DERIVATION_KINDS); null for an entered one.
    derivation = models.JSONField(null=True, blank=True)
    display_places = models.PositiveSmallIntegerField(null=True, blank=True)
    loinc = models.CharField(max_length=16, blank=True)
    shown_if = models.JSONField(default=list, blank=True)
    # Codes in the hospital record ([{system, code}], asked in order) and the look-back window.
    codes = models.JSONField(default=list, blank=True)
    lookback_days = models.PositiveIntegerField(null=True, blank=True)
    # {"da": {"label", "help_text", "choices": {value: label}}}; see criteria.translations.
    translations = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["trial", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "key"], name="variable_key_unique_in_trial")
        ]

    def __str__(self) -> str:
        return f"{self.trial}: {self.key}"

    def label_for(self, language: str | None = None) -> str:
        return label_for(self, language)

    @classmethod
    def stored_fields(cls) -> tuple[str, ...]:
        """The fields of a protocol file's variable that this model stores, in file order."""
        return _stored(cls, protocol.VARIABLE_FIELDS)

    def as_dict(self) -> dict:
        """The variable as a protocol file writes it."""
        data = {name: getattr(self, name) for name in self.stored_fields()}
        # DecimalField pads ("1.5000"); the file does not.
        data.update(minimum=_decimal_text(self.minimum), maximum=_decimal_text(self.maximum))
        return data

    def as_spec(self) -> protocol.VariableSpec:
        return protocol.variable_from_dict(self.as_dict())


class CriteriaSet(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="criteria_sets")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    change_reason = models.TextField(blank=True)
    # The published set a draft was copied from: the diff and the publish check compare to it.
    based_on = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["trial", "-version"]
        permissions = [("publish_criteriaset", "Can publish a criteria set")]
        constraints = [
            models.UniqueConstraint(
                fields=["trial", "version"], name="criteria_set_version_unique"
            ),
            models.UniqueConstraint(
                fields=["trial"],
                condition=models.Q(status="published"),
                name="one_published_criteria_set_per_trial",
            ),
        ]

    def __str__(self) -> str:
        return _("%(trial)s criteria v%(version)s (%(status)s)") % {
            "trial": self.trial,
            "version": self.version,
            "status": str(self.get_status_display()).lower(),
        }

    def save(self, *args, **kwargs):
        self._refuse_frozen_change()
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.is_editable:
            raise CriteriaSetFrozen(f"{self} is {self.status} and cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def _refuse_frozen_change(self) -> None:
        # Once published, the only change is retirement; a retired set never changes again.
        if self._state.adding:
            return
        stored = CriteriaSet.objects.filter(pk=self.pk).values().first()
        if stored is None or stored["status"] == self.Status.DRAFT:
            return
        mine = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}
        changed = {name for name, value in stored.items() if mine.get(name) != value}
        retiring = stored["status"] == self.Status.PUBLISHED and self.status == self.Status.RETIRED
        if changed and not (changed == {"status"} and retiring):
            raise CriteriaSetFrozen(
                f"v{self.version} is {stored['status']}: it cannot be changed; make a new draft."
            )


class Criterion(models.Model):
    class Kind(models.TextChoices):
        INCLUSION = "inclusion", _("Inclusion")
        EXCLUSION = "exclusion", _("Exclusion")

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="criteria")
    code = models.CharField(max_length=16)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    protocol_wording = models.TextField()
    label = models.CharField(max_length=300)
    expression = models.JSONField()
    applies_if = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)
    # {"da": {"label", "note"}}; the protocol wording is never translated (criteria.translations).
    translations = models.JSONField(default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["criteria_set", "order", "code"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "code"], name="criterion_code_unique_in_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {label_for(self)}"

    def save(self, *args, **kwargs):
        self._refuse_if_frozen("changed")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_frozen("deleted")
        return super().delete(*args, **kwargs)

    def label_for(self, language: str | None = None) -> str:
        return label_for(self, language)

    def clean(self) -> None:
        variables = _variable_specs(self.criteria_set.trial)
        problems = protocol.check_criterion(self.as_rule_dict(), variables)
        if problems:
            raise ValidationError({"expression": problems})

    @classmethod
    def stored_fields(cls) -> tuple[str, ...]:
        """The fields of a protocol file's criterion that this model stores, in file order."""
        return _stored(cls, protocol.CRITERION_FIELDS)

    def as_rule_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.stored_fields()}

    def _refuse_if_frozen(self, verb: str) -> None:
        # Read the status from the database: a stale in-memory set must not unlock a criterion.
        status = (
            CriteriaSet.objects.filter(pk=self.criteria_set_id)
            .values_list("status", flat=True)
            .first()
        )
        if status and status != CriteriaSet.Status.DRAFT:
            raise CriteriaSetFrozen(
                f"Criterion {self.code} belongs to a {status} criteria set and cannot be {verb}; "
                "create a new draft instead."
            )


def _stored(model: type[models.Model] | models.Model, names: tuple[str, ...]) -> tuple[str, ...]:
    """The protocol file's fields that `model` has a column for, in the file's order."""
    columns = {f.name for f in model._meta.concrete_fields}
    return tuple(name for name in names if name in columns)


def _variable_specs(trial: Trial) -> dict:
    return {v.key: v.as_spec() for v in trial.variables.all()}


def _decimal_text(value) -> str | None:
    # DecimalField pads to its decimal places ("1.5000"); the protocol file says "1.5".
    # Normalized in CONTEXT: in a caller's context of 3 digits a bound of 1.2345 became 1.23.
    if value is None:
        return None
    text = format(value.normalize(CONTEXT), "f")
    return text
