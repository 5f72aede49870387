"""PostgreSQL triggers that keep the rate summaries exact (reports.models).

Statement-level triggers with transition tables: a bulk insert of 5,000 periods runs one
grouped upsert, not 5,000. Every change is applied in the writer's transaction, so the
summaries are never behind what that transaction can see, and a rolled-back write leaves no
trace. Upserts touch rows in key order, so concurrent writers lock them in the same order.

Weeks are local weeks of settings.TIME_ZONE at install time (`reports_week`). After changing
TIME_ZONE run `qihang rebuild_rates_summary`, which reinstalls the functions and recounts.

What the triggers assume of writers: a period's graduate exists when the period is inserted
(true for every ORM write; the foreign key is only checked at commit). Deletions work in
either order: deleting a graduate takes out the flows of its periods still present, deleting a
period whose graduate is already gone has nothing left to take out.
"""

# ruff: noqa: S608 - the SQL is assembled from this module's table names, columns and integer
# signs only; no value from outside is ever formatted into it.
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction

FLOW = "reports_periodflow"
DETAIL_FLOW = "reports_detailedperiodflow"
TOTAL = "reports_periodtotal"
ROSTER = "reports_rostercount"
PERIOD = "destinations_destinationperiod"
GRADUATE = "graduates_graduate"

# Weekly flows come at two grains: per department (what the department ranking, the weekly
# series and totals read, an eighth of the rows) and per department, major and gender (the
# "detailed" grain; a major also fixes the degree level: rates by major, degree or gender).
# Totals and the roster are at the detailed grain; summed up they give the department's.
_FLOW_COLUMNS = "institution_id, cohort_id, kind, department_id, code, week"
_FLOW_KEY = "cohort_id, kind, department_id, code, week"
_DETAIL_FLOW_COLUMNS = (
    "institution_id, cohort_id, kind, department_id, major_id, gender, code, week"
)
_DETAIL_FLOW_KEY = "cohort_id, kind, department_id, major_id, gender, code, week"
_TOTAL_COLUMNS = "institution_id, cohort_id, kind, department_id, major_id, gender, code"
_TOTAL_KEY = "cohort_id, kind, department_id, major_id, gender, code"
_ROSTER_COLUMNS = "institution_id, cohort_id, department_id, major_id, gender"
_ROSTER_KEY = "cohort_id, department_id, major_id, gender"


def _flow_parts(
    source: str,
    sign: int,
    department: str = "g.department_id",
    major: str = "g.major_id",
    gender: str = "g.gender",
    join: str = "",
) -> str:
    """Start and end contributions of the periods in `source` (aliased p), times `sign`."""
    join = join or f"JOIN {GRADUATE} g ON g.id = p.graduate_id"
    select = (
        "SELECT p.institution_id, p.cohort_id, p.kind, {dept} AS department_id, "
        "{major} AS major_id, {gender} AS gender, p.code, "
        "reports_week(p.{column}) AS week, {starts} AS starts, {ends} AS ends "
        "FROM {source} p {join}{where}"
    )
    return " UNION ALL ".join(
        [
            select.format(
                dept=department,
                major=major,
                gender=gender,
                column="valid_from",
                starts=sign,
                ends=0,
                source=source,
                join=join,
                where="",
            ),
            select.format(
                dept=department,
                major=major,
                gender=gender,
                column="valid_to",
                starts=0,
                ends=sign,
                source=source,
                join=join,
                where=" WHERE p.valid_to IS NOT NULL",
            ),
        ]
    )


def _flows_into(table: str, columns: str, key: str, union: str, *, subtracts: bool) -> str:
    """Add the union's starts and ends to a flow table at its grain (`key`)."""
    match = " AND ".join(f"f.{c} = t.{c}" for c in key.split(", "))
    sql = f"""
    INSERT INTO {table} AS f ({columns}, starts, ends)
    SELECT {columns}, SUM(starts), SUM(ends) FROM ({union}) AS x
     GROUP BY {columns}
    HAVING SUM(starts) <> 0 OR SUM(ends) <> 0
     ORDER BY {key}
    ON CONFLICT ({key})
    DO UPDATE SET starts = f.starts + EXCLUDED.starts, ends = f.ends + EXCLUDED.ends;
    """
    if subtracts:
        sql += f"""
    DELETE FROM {table} AS f
     USING (SELECT DISTINCT {key} FROM ({union}) AS y) AS t
     WHERE {match} AND f.starts = 0 AND f.ends = 0;
    """
    return sql


def _flow_upsert(parts: list[str], *, subtracts: bool = True) -> str:
    """Add the parts' contributions; when some are negative, drop the rows left holding 0."""
    union = " UNION ALL ".join(parts)
    sql = _flows_into(FLOW, _FLOW_COLUMNS, _FLOW_KEY, union, subtracts=subtracts)
    sql += _flows_into(
        DETAIL_FLOW, _DETAIL_FLOW_COLUMNS, _DETAIL_FLOW_KEY, union, subtracts=subtracts
    )
    # The totals over all weeks: starts minus ends (a closed period adds nothing).
    sql += f"""
    INSERT INTO {TOTAL} AS h ({_TOTAL_COLUMNS}, holding)
    SELECT {_TOTAL_COLUMNS}, SUM(starts) - SUM(ends) FROM ({union}) AS x
     GROUP BY {_TOTAL_COLUMNS}
    HAVING SUM(starts) - SUM(ends) <> 0
     ORDER BY {_TOTAL_KEY}
    ON CONFLICT ({_TOTAL_KEY})
    DO UPDATE SET holding = h.holding + EXCLUDED.holding;
    DELETE FROM {TOTAL} AS h
     USING (SELECT DISTINCT {_TOTAL_KEY} FROM ({union}) AS y) AS t
     WHERE h.cohort_id = t.cohort_id AND h.kind = t.kind AND h.department_id = t.department_id
       AND h.major_id = t.major_id AND h.gender = t.gender AND h.code = t.code
       AND h.holding = 0;
    """
    return sql


def _roster_upsert(parts: list[str], *, subtracts: bool = True) -> str:
    union = " UNION ALL ".join(parts)
    sql = f"""
    INSERT INTO {ROSTER} AS r ({_ROSTER_COLUMNS}, graduates)
    SELECT {_ROSTER_COLUMNS}, SUM(n) FROM ({union}) AS x
     GROUP BY {_ROSTER_COLUMNS}
    HAVING SUM(n) <> 0
     ORDER BY {_ROSTER_KEY}
    ON CONFLICT ({_ROSTER_KEY})
    DO UPDATE SET graduates = r.graduates + EXCLUDED.graduates;
    """
    if subtracts:
        sql += f"""
    DELETE FROM {ROSTER} AS r
     USING (SELECT DISTINCT {_ROSTER_KEY} FROM ({union}) AS y) AS t
     WHERE r.cohort_id = t.cohort_id AND r.department_id = t.department_id
       AND r.major_id = t.major_id AND r.gender = t.gender AND r.graduates = 0;
    """
    return sql


def _roster_part(source: str, sign: int) -> str:
    return f"SELECT {_ROSTER_COLUMNS}, {sign} AS n FROM {source}"


# Graduates whose department, major, gender or cohort changed in an UPDATE statement.
_CHANGED = "o.department_id <> n.department_id OR o.major_id <> n.major_id OR o.gender <> n.gender"
_MOVED = (
    "(SELECT o.id, o.institution_id, o.department_id AS old_department, "
    "o.major_id AS old_major, o.gender AS old_gender, n.department_id AS new_department, "
    "n.major_id AS new_major, n.gender AS new_gender "
    f"FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {_CHANGED})"
)
_MOVED_ROSTER = (
    "(SELECT o.institution_id, o.cohort_id AS old_cohort, o.department_id AS old_department, "
    "o.major_id AS old_major, o.gender AS old_gender, n.cohort_id AS new_cohort, "
    "n.department_id AS new_department, n.major_id AS new_major, n.gender AS new_gender "
    "FROM old_rows o JOIN new_rows n ON n.id = o.id "
    f"WHERE {_CHANGED} OR o.cohort_id <> n.cohort_id)"
)


def _functions_sql(time_zone: str) -> str:
    tz = time_zone.replace("'", "''")
    period_insert = _flow_upsert([_flow_parts("new_rows", 1)], subtracts=False)
    period_delete = _flow_upsert([_flow_parts("old_rows", -1)])
    period_update = _flow_upsert([_flow_parts("old_rows", -1), _flow_parts("new_rows", 1)])
    moved_join = f"JOIN {_MOVED} m ON m.id = p.graduate_id"
    graduate_update = _flow_upsert(
        [
            _flow_parts(
                PERIOD,
                -1,
                department="m.old_department",
                major="m.old_major",
                gender="m.old_gender",
                join=moved_join,
            ),
            _flow_parts(
                PERIOD,
                1,
                department="m.new_department",
                major="m.new_major",
                gender="m.new_gender",
                join=moved_join,
            ),
        ]
    ) + _roster_upsert(
        [
            "SELECT institution_id, old_cohort AS cohort_id, old_department AS department_id, "
            f"old_major AS major_id, old_gender AS gender, -1 AS n FROM {_MOVED_ROSTER} mo",
            "SELECT institution_id, new_cohort AS cohort_id, new_department AS department_id, "
            f"new_major AS major_id, new_gender AS gender, 1 AS n FROM {_MOVED_ROSTER} mn",
        ]
    )
    deleted_join = "JOIN old_rows g ON g.id = p.graduate_id"
    graduate_delete = _flow_upsert([_flow_parts(PERIOD, -1, join=deleted_join)]) + _roster_upsert(
        [_roster_part("old_rows", -1)]
    )
    return f"""
CREATE OR REPLACE FUNCTION reports_week(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT date_trunc('week', ts AT TIME ZONE '{tz}')::date $$;
COMMENT ON FUNCTION reports_week(timestamptz) IS '{tz}';

CREATE OR REPLACE FUNCTION reports_period_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'INSERT' THEN {period_insert}
  ELSIF TG_OP = 'DELETE' THEN {period_delete}
  ELSIF TG_OP = 'UPDATE' THEN {period_update}
  ELSIF TG_OP = 'TRUNCATE' THEN DELETE FROM {FLOW}; DELETE FROM {DETAIL_FLOW}; DELETE FROM {TOTAL};
  END IF;
  RETURN NULL;
END $body$;

CREATE OR REPLACE FUNCTION reports_graduate_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'INSERT' THEN {_roster_upsert([_roster_part("new_rows", 1)], subtracts=False)}
  ELSIF TG_OP = 'DELETE' THEN {graduate_delete}
  ELSIF TG_OP = 'UPDATE' THEN {graduate_update}
  ELSIF TG_OP = 'TRUNCATE' THEN
    DELETE FROM {ROSTER}; DELETE FROM {FLOW}; DELETE FROM {DETAIL_FLOW}; DELETE FROM {TOTAL};
  END IF;
  RETURN NULL;
END $body$;
"""


def _triggers_sql() -> str:
    statements = []
    for table, function, prefix in (
        (PERIOD, "reports_period_changed", "reports_period"),
        (GRADUATE, "reports_graduate_changed", "reports_graduate"),
    ):
        for event, referencing in (
            ("INSERT", "REFERENCING NEW TABLE AS new_rows"),
            ("DELETE", "REFERENCING OLD TABLE AS old_rows"),
            ("UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ):
            name = f"{prefix}_{event.lower()}"
            statements.append(
                f"DROP TRIGGER IF EXISTS {name} ON {table}; "
                f"CREATE TRIGGER {name} AFTER {event} ON {table} {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
            )
        name = f"{prefix}_truncate"
        statements.append(
            f"DROP TRIGGER IF EXISTS {name} ON {table}; "
            f"CREATE TRIGGER {name} AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        )
    return "\n".join(statements)


def _rebuild_sql() -> str:
    return f"""
    LOCK TABLE {GRADUATE}, {PERIOD} IN SHARE MODE;
    DELETE FROM {FLOW};
    DELETE FROM {DETAIL_FLOW};
    DELETE FROM {TOTAL};
    DELETE FROM {ROSTER};
    INSERT INTO {DETAIL_FLOW} ({_DETAIL_FLOW_COLUMNS}, starts, ends)
    SELECT {_DETAIL_FLOW_COLUMNS}, SUM(starts), SUM(ends) FROM ({_flow_parts(PERIOD, 1)}) AS x
     GROUP BY {_DETAIL_FLOW_COLUMNS};
    INSERT INTO {FLOW} ({_FLOW_COLUMNS}, starts, ends)
    SELECT {_FLOW_COLUMNS}, SUM(starts), SUM(ends) FROM {DETAIL_FLOW}
     GROUP BY {_FLOW_COLUMNS} HAVING SUM(starts) <> 0 OR SUM(ends) <> 0;
    INSERT INTO {TOTAL} ({_TOTAL_COLUMNS}, holding)
    SELECT {_TOTAL_COLUMNS}, SUM(starts) - SUM(ends) FROM {DETAIL_FLOW}
     GROUP BY {_TOTAL_COLUMNS} HAVING SUM(starts) - SUM(ends) <> 0;
    INSERT INTO {ROSTER} ({_ROSTER_COLUMNS}, graduates)
    SELECT {_ROSTER_COLUMNS}, COUNT(*) FROM {GRADUATE} GROUP BY {_ROSTER_COLUMNS};
    """


def _drop_sql() -> str:
    drops = [
        f"DROP TRIGGER IF EXISTS {prefix}_{event} ON {table};"
        for table, prefix in ((PERIOD, "reports_period"), (GRADUATE, "reports_graduate"))
        for event in ("insert", "delete", "update", "truncate")
    ]
    return "\n".join(
        [
            *drops,
            "DROP FUNCTION IF EXISTS reports_period_changed();",
            "DROP FUNCTION IF EXISTS reports_graduate_changed();",
            "DROP FUNCTION IF EXISTS reports_week(timestamptz);",
        ]
    )


# --- entry points --------------------------------------------------------------------------------
def supported(conn: Any = None) -> bool:
    """The summaries exist only on PostgreSQL; elsewhere the selectors count directly."""
    return (conn or connection).vendor == "postgresql"


def install(conn: Any = None, *, time_zone: str | None = None) -> None:
    """Create or replace the functions and triggers, then recount from scratch."""
    conn = conn or connection
    if not supported(conn):
        return
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        # Room in each page, so the counters' frequent updates stay HOT (no index writes).
        cursor.execute(f"ALTER TABLE {FLOW} SET (fillfactor = 80)")
        cursor.execute(f"ALTER TABLE {DETAIL_FLOW} SET (fillfactor = 80)")
        cursor.execute(f"ALTER TABLE {ROSTER} SET (fillfactor = 80)")
        cursor.execute(f"ALTER TABLE {TOTAL} SET (fillfactor = 80)")
        cursor.execute(_functions_sql(time_zone or settings.TIME_ZONE))
        cursor.execute(_triggers_sql())
        cursor.execute(_rebuild_sql())


def uninstall(conn: Any = None) -> None:
    conn = conn or connection
    if supported(conn):
        with conn.cursor() as cursor:
            cursor.execute(_drop_sql())


def rebuild(conn: Any = None) -> None:
    """Recount both summaries from graduates and periods (install() also does this)."""
    install(conn)


def installed_time_zone(conn: Any = None) -> str | None:
    conn = conn or connection
    if not supported(conn):
        return None
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p WHERE p.proname = %s",
            ["reports_week"],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def differences(conn: Any = None) -> dict[str, int]:
    """Rows where the summaries disagree with a recount (all zero when they are exact)."""
    conn = conn or connection
    if not supported(conn):
        return {"flows": 0, "totals": 0, "roster": 0}
    flow_checks = " UNION ALL ".join(
        f"""
    SELECT COUNT(*) AS n FROM (
      SELECT {columns}, SUM(starts) AS starts, SUM(ends) AS ends
        FROM ({_flow_parts(PERIOD, 1)}) AS x GROUP BY {columns}
    ) AS want FULL OUTER JOIN {table} AS have USING ({columns})
    WHERE have.starts IS DISTINCT FROM want.starts OR have.ends IS DISTINCT FROM want.ends
    """
        for table, columns in ((FLOW, _FLOW_COLUMNS), (DETAIL_FLOW, _DETAIL_FLOW_COLUMNS))
    )
    flows = f"SELECT SUM(n) FROM ({flow_checks}) AS d"
    totals = f"""
    SELECT COUNT(*) FROM (
      SELECT {_TOTAL_COLUMNS}, SUM(starts) - SUM(ends) AS holding
        FROM ({_flow_parts(PERIOD, 1)}) AS x GROUP BY {_TOTAL_COLUMNS}
      HAVING SUM(starts) - SUM(ends) <> 0
    ) AS want FULL OUTER JOIN {TOTAL} AS have USING ({_TOTAL_COLUMNS})
    WHERE have.holding IS DISTINCT FROM want.holding
    """
    roster = f"""
    SELECT COUNT(*) FROM (
      SELECT {_ROSTER_COLUMNS}, COUNT(*) AS graduates
        FROM {GRADUATE} GROUP BY {_ROSTER_COLUMNS}
    ) AS want FULL OUTER JOIN {ROSTER} AS have USING ({_ROSTER_COLUMNS})
    WHERE have.graduates IS DISTINCT FROM want.graduates
    """
    with conn.cursor() as cursor:
        cursor.execute(flows)
        flow_count = int(cursor.fetchone()[0] or 0)  # SUM of counts: a numeric
        cursor.execute(totals)
        total_count = cursor.fetchone()[0]
        cursor.execute(roster)
        roster_count = cursor.fetchone()[0]
    return {"flows": flow_count, "totals": total_count, "roster": roster_count}
