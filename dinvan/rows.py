"""Model instances from hand-written SQL, as the ORM would make them.

For the few queries asked on every page (the session with its user; the summary
state), written once per process instead of compiled by the ORM on every request:
compiling cost more than the database takes to answer (see README, Performance).
"""


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
        self.converters = []
        for field in fields:
            expression = field.get_col(alias)
            functions = connection.ops.get_db_converters(expression)
            functions += expression.get_db_converters(connection)
            self.converters.append((expression, functions))

    def __len__(self):
        return len(self.attnames)

    def instance(self, values):
        """The instance of `values` (this model's columns of a row, in order); None
        for the NULLs of a LEFT JOIN that found no row (no primary key)."""
        if values[0] is None:
            return None
        converted = []
        for value, (column, functions) in zip(values, self.converters, strict=True):
            for function in functions:
                value = function(value, column, self.connection)
            converted.append(value)
        return self.model.from_db(self.connection.alias, self.attnames, converted)
