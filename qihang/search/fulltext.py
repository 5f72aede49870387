"""The database's own full-text index over the jieba tokens (see qihang/search/models.py),
created by migrations: on PostgreSQL a trigger-maintained `tsvector` with a GIN index, on SQLite
an FTS5 table kept in step by triggers.

On SQLite, a migration that alters search_jobsearchdocument may rebuild the table (create a
copy, drop the original, rename), and dropping a table drops its triggers: such a migration
must end with `sqlite_triggers_restore` (RunPython), which recreates them and rebuilds the FTS5
index from the table.
"""

# The database's own full-text index over the jieba tokens (see qihang/search/models.py).
# The weighted vector is computed by a trigger as each row is written (one write per row: a
# separate UPDATE after the insert left a dead tuple per row and doubled the index's work).
POSTGRESQL = [
    "CREATE FUNCTION search_job_vector() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.vector := setweight(to_tsvector('simple', coalesce(NEW.title_tokens, '')), 'A') "
    "|| setweight(to_tsvector('simple', coalesce(NEW.body_tokens, '')), 'C'); "
    "RETURN NEW; END $$",
    "CREATE TRIGGER search_job_vector BEFORE INSERT OR UPDATE ON search_jobsearchdocument "
    "FOR EACH ROW EXECUTE FUNCTION search_job_vector()",
    "CREATE INDEX search_job_vector_gin ON search_jobsearchdocument USING gin (vector)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_job_vector_gin",
    "DROP TRIGGER IF EXISTS search_job_vector ON search_jobsearchdocument",
    "DROP FUNCTION IF EXISTS search_job_vector()",
]
# FTS5 over the document table (external content), kept in step by triggers; the unicode61
# tokenizer splits only on spaces and punctuation, so each jieba token stays one FTS token.
SQLITE = [
    "CREATE VIRTUAL TABLE search_job_fts USING fts5(title_tokens, body_tokens, "
    "content='search_jobsearchdocument', content_rowid='job_id', tokenize='unicode61')",
    "CREATE TRIGGER search_job_fts_insert AFTER INSERT ON search_jobsearchdocument BEGIN "
    "INSERT INTO search_job_fts(rowid, title_tokens, body_tokens) "
    "VALUES (new.job_id, new.title_tokens, new.body_tokens); END",
    "CREATE TRIGGER search_job_fts_delete AFTER DELETE ON search_jobsearchdocument BEGIN "
    "INSERT INTO search_job_fts(search_job_fts, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.job_id, old.title_tokens, old.body_tokens); END",
    "CREATE TRIGGER search_job_fts_update AFTER UPDATE ON search_jobsearchdocument BEGIN "
    "INSERT INTO search_job_fts(search_job_fts, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.job_id, old.title_tokens, old.body_tokens); "
    "INSERT INTO search_job_fts(rowid, title_tokens, body_tokens) "
    "VALUES (new.job_id, new.title_tokens, new.body_tokens); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_job_fts_update",
    "DROP TRIGGER IF EXISTS search_job_fts_delete",
    "DROP TRIGGER IF EXISTS search_job_fts_insert",
    "DROP TABLE IF EXISTS search_job_fts",
]


SQLITE_TRIGGERS = [sql for sql in SQLITE if sql.startswith("CREATE TRIGGER")]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


full_text_index = _run({"postgresql": POSTGRESQL, "sqlite": SQLITE})
full_text_index_reverse = _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE})


def sqlite_triggers_restore(apps, schema_editor):
    """After a table rebuild on SQLite: the FTS5 triggers again, and the index rebuilt."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in SQLITE_TRIGGERS:
        schema_editor.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
    schema_editor.execute("INSERT INTO search_job_fts(search_job_fts) VALUES ('rebuild')")
