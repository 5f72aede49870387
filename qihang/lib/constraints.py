"""A foreign key over several columns, declared in a model's Meta.constraints.

Django's ForeignKey is one column. Tenant tables want keys such as (institution, cohort) ->
Cohort(institution, id): the database itself then refuses a graduate whose cohort belongs to
another institution, and one composite check replaces two single-column ones, which is what
a 100,000-row import pays for per row. The model keeps its ordinary ForeignKey fields for the
ORM, with ``db_constraint=False`` where a composite key takes over their check.

The last of ``fields`` is the ForeignKey whose check the composite key takes over; its model is
the target, and ``to_fields`` name the target's columns in the same order (the last is usually
``id``). The referenced columns need a unique constraint of their own (e.g. UniqueConstraint on
Cohort(institution, id)). Like Django's own foreign keys, the constraint is DEFERRABLE
INITIALLY DEFERRED and deletes are left to the ORM's on_delete.

Refer only to small tables (cohorts, departments, majors). When a referenced row is deleted,
PostgreSQL checks the key with a generic plan; against a large table whose statistics lag
behind a bulk write, it picked an index on (institution, cohort, …) over the unique one, and
deleting 100,000 graduates referenced by (institution, cohort, graduate) keys did not finish in
15 minutes. Keys to Graduate stay single-column keys to its primary key.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.utils import DEFAULT_DB_ALIAS
from django.utils.translation import gettext_lazy as _


class CompositeForeignKey(models.BaseConstraint):
    default_violation_error_message = _("“%(name)s”所引用的记录不存在或不属于同一单位。")

    def __init__(
        self,
        *,
        fields: tuple[str, ...] | list[str],
        to_fields: tuple[str, ...] | list[str],
        name: str,
        violation_error_code: str | None = None,
        violation_error_message: Any = None,
    ) -> None:
        if len(fields) < 2 or len(fields) != len(to_fields):
            raise ValueError("CompositeForeignKey needs as many fields as to_fields, at least two.")
        self.fields = tuple(fields)
        self.to_fields = tuple(to_fields)
        super().__init__(
            name=name,
            violation_error_code=violation_error_code,
            violation_error_message=violation_error_message,
        )

    def target(self, model: type[models.Model]) -> type[models.Model]:
        # From the field, not an app label: SQLite's table rebuild renders the model in an
        # app registry of its own, where other apps cannot be looked up.
        return model._meta.get_field(self.fields[-1]).remote_field.model

    # --- SQL ---------------------------------------------------------------------------------
    def _parts(self, model: type[models.Model], schema_editor: Any) -> dict[str, str]:
        quote = schema_editor.quote_name
        target = self.target(model)
        return {
            "name": quote(self.name),
            "columns": ", ".join(quote(model._meta.get_field(f).column) for f in self.fields),
            "to_table": quote(target._meta.db_table),
            "to_columns": ", ".join(
                quote(target._meta.get_field(f).column) for f in self.to_fields
            ),
            # As Django's own keys: checked at COMMIT unless SET CONSTRAINTS says otherwise.
            # (SQLite's backend leaves deferrable_sql empty but writes this for its own keys.)
            "deferrable": " DEFERRABLE INITIALLY DEFERRED",
        }

    def constraint_sql(self, model: type[models.Model], schema_editor: Any) -> str:
        return (
            "CONSTRAINT {name} FOREIGN KEY ({columns}) "
            "REFERENCES {to_table} ({to_columns}){deferrable}"
        ).format(**self._parts(model, schema_editor))

    def create_sql(self, model: type[models.Model], schema_editor: Any) -> str:
        table = schema_editor.quote_name(model._meta.db_table)
        return f"ALTER TABLE {table} ADD {self.constraint_sql(model, schema_editor)}"

    def remove_sql(self, model: type[models.Model], schema_editor: Any) -> str:
        quote = schema_editor.quote_name
        return f"ALTER TABLE {quote(model._meta.db_table)} DROP CONSTRAINT {quote(self.name)}"

    # --- model validation (full_clean) ----------------------------------------------------------
    def validate(
        self,
        model: type[models.Model],
        instance: models.Model,
        exclude: Any = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        if exclude and any(f in exclude for f in self.fields):
            return
        values = [getattr(instance, model._meta.get_field(f).attname) for f in self.fields]
        if any(value is None for value in values):
            return  # MATCH SIMPLE: a key with a NULL part is not checked
        target = self.target(model)
        lookup = {
            target._meta.get_field(f).attname: value
            for f, value in zip(self.to_fields, values, strict=True)
        }
        if not target._default_manager.using(using).filter(**lookup).exists():
            raise ValidationError(
                self.get_violation_error_message(), code=self.violation_error_code
            )

    def check(self, model: type[models.Model], connection: Any) -> list[Any]:
        return self._check_references(model, [(f,) for f in self.fields])

    # --- migrations ----------------------------------------------------------------------------
    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        path, args, kwargs = super().deconstruct()
        kwargs.update(fields=self.fields, to_fields=self.to_fields)
        return path, args, kwargs

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompositeForeignKey):
            return NotImplemented
        return (
            self.name == other.name
            and self.fields == other.fields
            and self.to_fields == other.to_fields
            and self.violation_error_code == other.violation_error_code
            and self.violation_error_message == other.violation_error_message
        )

    def __hash__(self) -> int:
        return hash((self.name, self.fields, self.to_fields))

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__}: fields={self.fields!r} "
            f"to_fields={self.to_fields!r} name={self.name!r}>"
        )
