"""The session engine: Django's database sessions, stored in `agreements.UserSession`,
which names the signed-in user in a column of its own.

Reading a session reads its user, with profile and agency, in the same query;
`dinvan.auth` takes that user instead of asking the database again, after Django's
own checks. One query on every signed-in page instead of two.

The query is written once per process from the four models (`_SessionRead`) rather
than built by the ORM on every request: compiling a four-table `select_related` cost
more than the database takes to answer it (see README, Performance). The rows are
turned into model instances as the ORM would (`from_db`, the fields' converters, the
relations' caches); `tests/test_sessions.py` compares them with the ORM's.

A copy in a shared cache (Django's `cached_db`) would save nothing more: the user
would still be one query.
"""

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import connections, router
from django.utils import timezone

from .rows import ModelColumns

# What else the session's query reads, for an app that asks it on nearly every page
# (reports: the summary state). A rider has `select(connection)`: (SQL of a query of
# at most one row, its column names), joined to the session's row; and
# `received(connection, values)`, called with those columns' values (all None when
# its query found no row) whenever a session is read.
RIDERS = []


def ride_along(rider):
    """Read `rider`'s row with every session (one round trip instead of two)."""
    RIDERS.append(rider)


class _SessionRead:
    """The SQL that reads a session with its user, profile and agency (and the
    riders' rows), for one database connection, and how its row becomes the four
    model instances."""

    def __init__(self, connection):
        from agreements.models import Agency, UserProfile, UserSession

        user_model = get_user_model()
        quote = connection.ops.quote_name
        self.connection = connection

        def column(alias, field):
            return f"{alias}.{quote(field.column)}"

        def join(alias, model, on):
            return f"LEFT JOIN {quote(model._meta.db_table)} {alias} ON {on}"

        self.models = [
            ModelColumns(connection, model, alias)
            for alias, model in (
                ("s", UserSession),
                ("u", user_model),
                ("p", UserProfile),
                ("a", Agency),
            )
        ]
        columns = [name for model in self.models for name in model.sql]

        self.user_field = UserSession._meta.get_field("user")
        self.profile_user_field = UserProfile._meta.get_field("user")
        self.profile_agency_field = UserProfile._meta.get_field("agency")

        self.riders, rider_joins = [], []
        for number, rider in enumerate(RIDERS):
            sql, names = rider.select(connection)
            alias = f"r{number}"
            columns += [f"{alias}.{quote(name)}" for name in names]
            rider_joins.append(f"LEFT JOIN ({sql}) {alias} ON 1 = 1")
            self.riders.append((rider, len(names)))

        session_meta, user_pk = UserSession._meta, user_model._meta.pk
        self.sql = " ".join(
            [
                f"SELECT {', '.join(columns)} FROM {quote(session_meta.db_table)} s",
                join("u", user_model, f"{column('u', user_pk)} = {column('s', self.user_field)}"),
                join(
                    "p",
                    UserProfile,
                    f"{column('p', self.profile_user_field)} = {column('u', user_pk)}",
                ),
                join(
                    "a",
                    Agency,
                    f"{column('a', Agency._meta.pk)} = {column('p', self.profile_agency_field)}",
                ),
                *rider_joins,
                f"WHERE {column('s', session_meta.pk)} = %s"
                f" AND {column('s', session_meta.get_field('expire_date'))} > %s",
            ]
        )

    def __call__(self, session_key):
        with self.connection.cursor() as cursor:
            now = self.connection.ops.adapt_datetimefield_value(timezone.now())
            cursor.execute(self.sql, [session_key, now])
            row = cursor.fetchone()
        if row is None:
            return None
        instances, start = [], 0
        for model in self.models:
            instances.append(model.instance(row[start : start + len(model)]))
            start += len(model)
        for rider, width in self.riders:
            rider.received(self.connection, row[start : start + width])
            start += width
        session, user, profile, agency = instances
        self.user_field.set_cached_value(session, user)
        if user is not None:
            # What select_related("user__profile__agency") leaves: `user.profile`
            # answers without a query, and raises as usual when there is none.
            self.profile_user_field.remote_field.set_cached_value(user, profile)
        if profile is not None:
            self.profile_user_field.set_cached_value(profile, user)
            self.profile_agency_field.set_cached_value(profile, agency)
        return session


def _session_read(alias):
    # Built once per connection (connections belong to a thread).
    connection = connections[alias]
    reading = getattr(connection, "dinvan_session_read", None)
    if reading is None:
        reading = connection.dinvan_session_read = _SessionRead(connection)
    return reading


class SessionStore(db.SessionStore):
    # The user read with the session (None: anonymous, or not read yet).
    user_row = None

    @classmethod
    def get_model_class(cls):
        from agreements.models import UserSession

        return UserSession

    def _get_session_from_db(self):
        session = None
        if self.session_key is not None:
            session = _session_read(router.db_for_read(self.model))(self.session_key)
        if session is None:
            self._session_key = None
            return None
        self.user_row = session.user
        return session

    def save(self, must_create=False):
        """An existing session is saved with one UPDATE in autocommit: Django's
        `save` wraps it in a transaction of its own, BEGIN, UPDATE and COMMIT, three
        round trips on every request that renews the idle timeout. A session
        deleted meanwhile (a logout elsewhere) fails as Django's does (UpdateError:
        the request's session was interrupted). A new session is Django's INSERT."""
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        session = self.create_model_instance(self._get_session())
        using = router.db_for_write(self.model, instance=session)
        columns = {
            field.attname: getattr(session, field.attname)
            for field in self.model._meta.concrete_fields
            if not field.primary_key
        }
        rows = self.model.objects.using(using).filter(pk=session.pk).update(**columns)
        if not rows:
            raise UpdateError

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        session.user_id = None if user_id is None else get_user_model()._meta.pk.to_python(user_id)
        return session
