"""Shared base of the domain models: NFC text, search keys, year bounds."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ..text import fold, nfc

MIN_YEAR = 1945
MAX_YEAR = 2100
YEAR_VALIDATORS = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]


class NormalizedModel(models.Model):
    """Stores every text field in NFC and keeps `search_key` (if any) up to date.

    The search key is derived data, so it is recomputed on every save rather than
    trusted from callers; services that write in bulk call `normalize()` themselves.
    """

    search_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalize()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.search_fields:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    def normalize(self):
        for field in self._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                setattr(self, field.attname, nfc(getattr(self, field.attname)))
        if self.search_fields:
            self.search_key = fold(*(getattr(self, name) for name in self.search_fields))
