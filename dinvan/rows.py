"""Model instances and values from hand-written SQL, as the ORM would make them.

For the few queries asked on every page (the session with its user; the summary
state), written once per process instead of compiled by the ORM on every request:
compiling cost more than the database takes to answer (see README, Performance);
and for a query the ORM cannot write (a UNION of parts that are ordered and sliced,
which SQLite takes only wrapped).
"""

from django.db.models.expressions import Col


def _converter(connection, expression):
    """(expression, the functions the ORM runs on a value read for it)."""
    functions = connection.ops.get_db_converters(expression)
    functions += expression.get_db_converters(connection)
    return expression, functions


def _convert(connection, value, converter):
    expression, functions = converter
    for function in functions:
        value = function(value, expression, connection)
    return value


class ModelColumns:
    """The columns of `model` under the table alias `alias` for one database
    connection, and how their values in a row become an instance: `from_db` after
    the fields' converters (SQLite's booleans and datetimes come as numbers and text)."""

    def __init__(self, connection, model, alias):
        quote = connection.ops.quote_name
        self.connection = connection
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [field.attname for field in fields]
        self.sql = [f"{alias}.{quote(field.column)}" for field in fields]
        self.converters = [_converter(connection, field.get_col(alias)) for field in fields]

    def __len__(self):
        return len(self.attnames)

    def instance(self, values):
        """The instance of `values` (this model's columns of a row, in order); None
        for the NULLs of a LEFT JOIN that found no row (no primary key)."""
        if values[0] is None:
            return None
        converted = [
            _convert(self.connection, value, converter)
            for value, converter in zip(values, self.converters, strict=True)
        ]
        return self.model.from_db(self.connection.alias, self.attnames, converted)


class FieldColumns:
    """Named columns that are no single model's (`fields`: {name: a model field
    saying what the column holds}), and how a row's values become what the ORM would
    give for such fields."""

    def __init__(self, connection, fields):
        self.connection = connection
        self.converters = {
            name: _converter(connection, Col("", field)) for name, field in fields.items()
        }

    def row(self, names, values):
        """{name: value} of a row whose columns are `names`; a column not in `fields`
        is taken as it comes."""
        return {
            name: _convert(self.connection, value, self.converters[name])
            if name in self.converters and value is not None
            else value
            for name, value in zip(names, values, strict=True)
        }
