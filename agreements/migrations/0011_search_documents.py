"""PostgreSQL: one row of word pairs per agreement, kept by triggers.

A phrase found in tens of thousands of content items ("hoi lien hiep phu nu",
"chuyen doi so": about 50,000 items at national scale) was searched through the
pair indexes of migration 0009 by fetching every one of those items (their heap
pages, then the word-start check): 200–450 ms before the list could show a row.
`agreements_search_document` holds, for each agreement, the `dinvan_search_pairs`
of all its searchable text (its own key, its parties' names as signed, its content
items) in one tsvector. Its GIN index names the agreements that may hold a phrase
(every pair of it, anywhere in their text) without reading an item: 20–60 ms for
50,000–130,000 agreements. `AgreementQuerySet.search` walks the list in its order,
keeps those agreements and checks only them, until the page and the count are full.
The documents are a superset filter: the exact test still decides.

The table is not a Django model: it exists only on PostgreSQL (like the pair
indexes; SQLite scans) and nothing reads it but `SearchMatch`. Triggers keep it
exact whoever writes (a service, the admin, `bulk_create`, `update()`, COPY): after
each statement on agreements, parties or content items, the documents of the
agreements it touched are computed again in the same transaction. The agreement's
row is locked first (FOR NO KEY UPDATE) so that two transactions writing one
agreement's texts compute its document one after the other, the second seeing
what the first committed. TRUNCATE of the agreements empties the documents.

Filling the table reads every text once: about 3 minutes at national scale.
"""

from django.db import migrations

DOCUMENTS = "agreements_search_document"

# The document of each agreement in `ids` (those that exist), and none for those
# that do not. Texts are joined by a space: a pair across two texts only makes the
# filter a little wider, never narrower.
REFRESH = f"""
CREATE OR REPLACE FUNCTION dinvan_search_documents_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  PERFORM 1 FROM agreements_agreement WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
  INSERT INTO {DOCUMENTS} AS d (agreement_id, pairs)
  SELECT a.id, dinvan_search_pairs(concat_ws(' ', a.search_key,
      (SELECT string_agg(p.search_key, ' ') FROM agreements_agreementparty p
       WHERE p.agreement_id = a.id),
      (SELECT string_agg(i.search_key, ' ') FROM agreements_contentitem i
       WHERE i.agreement_id = a.id)))
  FROM agreements_agreement a WHERE a.id = ANY(ids)
  ON CONFLICT (agreement_id) DO UPDATE SET pairs = EXCLUDED.pairs;
  DELETE FROM {DOCUMENTS} d WHERE d.agreement_id = ANY(ids)
    AND NOT EXISTS (SELECT 1 FROM agreements_agreement a WHERE a.id = d.agreement_id);
END
$$
"""

# Statement triggers with transition tables: one call per statement, however many
# rows it wrote (a COPY of 50,000 items refreshes their agreements once each).
FOLLOW_AGREEMENTS = """
CREATE OR REPLACE FUNCTION dinvan_search_documents_follow_agreements() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM dinvan_search_documents_refresh(ARRAY(SELECT id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM dinvan_search_documents_refresh(ARRAY(SELECT id FROM old_rows));
  ELSE
    PERFORM dinvan_search_documents_refresh(ARRAY(
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.search_key IS DISTINCT FROM o.search_key));
  END IF;
  RETURN NULL;
END
$$
"""

FOLLOW_TEXTS = """
CREATE OR REPLACE FUNCTION dinvan_search_documents_follow_texts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM dinvan_search_documents_refresh(ARRAY(SELECT DISTINCT agreement_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM dinvan_search_documents_refresh(ARRAY(SELECT DISTINCT agreement_id FROM old_rows));
  ELSE
    PERFORM dinvan_search_documents_refresh(ARRAY(
      SELECT DISTINCT moved.agreement_id
      FROM new_rows n JOIN old_rows o ON o.id = n.id,
           LATERAL (VALUES (n.agreement_id), (o.agreement_id)) AS moved (agreement_id)
      WHERE n.search_key IS DISTINCT FROM o.search_key
         OR n.agreement_id IS DISTINCT FROM o.agreement_id));
  END IF;
  RETURN NULL;
END
$$
"""

EMPTY = f"""
CREATE OR REPLACE FUNCTION dinvan_search_documents_empty() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE {DOCUMENTS};
  RETURN NULL;
END
$$
"""

# The agreements that may hold every pair of `query`, read through the GIN index
# only. A plain query would let the planner, for a phrase in half the agreements,
# read the whole table instead, and decompress every document to test it (1 s
# instead of 50 ms): the planner does not count the cost of decompressing.
CANDIDATES = f"""
CREATE OR REPLACE FUNCTION dinvan_search_candidates(query tsquery)
RETURNS TABLE (agreement_id bigint)
STABLE LANGUAGE sql ROWS 20000 SET enable_seqscan = off AS $$
  SELECT d.agreement_id FROM {DOCUMENTS} d WHERE d.pairs @@ query
$$
"""

TRIGGERS = {
    "agreements_agreement": (
        "dinvan_search_documents_follow_agreements",
        ["INSERT", "UPDATE", "DELETE"],
    ),
    "agreements_agreementparty": (
        "dinvan_search_documents_follow_texts",
        ["INSERT", "UPDATE", "DELETE"],
    ),
    "agreements_contentitem": (
        "dinvan_search_documents_follow_texts",
        ["INSERT", "UPDATE", "DELETE"],
    ),
}

TRANSITIONS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def trigger_names():
    """(table, trigger name) of every trigger that keeps the documents."""
    return [
        (table, f"{table}_search_document_{event.lower()}")
        for table, (_function, events) in TRIGGERS.items()
        for event in events
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [
        f"CREATE TABLE {DOCUMENTS} (agreement_id bigint PRIMARY KEY, pairs tsvector NOT NULL)",
        REFRESH,
        FOLLOW_AGREEMENTS,
        FOLLOW_TEXTS,
        EMPTY,
        CANDIDATES,
    ]
    for table, (function, events) in TRIGGERS.items():
        for event in events:
            statements.append(
                f"CREATE TRIGGER {table}_search_document_{event.lower()} AFTER {event} "
                f"ON {table} {TRANSITIONS[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    statements += [
        "CREATE TRIGGER agreements_agreement_search_document_truncate AFTER TRUNCATE "
        "ON agreements_agreement FOR EACH STATEMENT EXECUTE FUNCTION dinvan_search_documents_empty()",
        "SELECT dinvan_search_documents_refresh(ARRAY(SELECT id FROM agreements_agreement))",
        f"CREATE INDEX {DOCUMENTS}_pairs ON {DOCUMENTS} USING gin (pairs)",
        f"ANALYZE {DOCUMENTS}",
    ]
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in [
        *trigger_names(),
        ("agreements_agreement", "agreements_agreement_search_document_truncate"),
    ]:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for function in (
        "dinvan_search_candidates(tsquery)",
        "dinvan_search_documents_empty()",
        "dinvan_search_documents_follow_texts()",
        "dinvan_search_documents_follow_agreements()",
        "dinvan_search_documents_refresh(bigint[])",
    ):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {DOCUMENTS}")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0010_awaiting_and_archived_indexes")]

    operations = [migrations.RunPython(create, drop)]
