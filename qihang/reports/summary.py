"""PostgreSQL triggers that keep the rate summaries exact (reports.models).

Statement-level triggers with transition tables: a bulk insert of 5,000 periods runs one
grouped upsert, not 5,000. Every change is applied in the writer's transaction, so the
summaries are never behind what that transaction can see, and a rolled-back write leaves no
trace. Upserts touch rows in key order, so concurrent writers lock them in the same order.

Weeks are local weeks of settings.TIME_ZONE at install time (`reports_week`). After changing
TIME_ZONE run `qihang rebuild_rates_summary`, which reinstalls the functions and recounts.

What is summed are holdings: each overlap of a graduate's destination period with one of the
graduate's roster periods (graduates.RosterPeriod: when they counted in which cohort,
department, major and gender), attributed to the roster period's cell, and the roster periods
themselves under the kind "roster". Triggers on both tables add the holdings of the rows a
statement wrote and take out those of the rows it replaced or deleted, each against the other
table as it stands, so the summaries equal a recount whatever the order of writes (periods
before roster or after, deletions of either first).
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
PERIOD = "destinations_destinationperiod"
GRADUATE = "graduates_graduate"
ROSTER_PERIOD = "graduates_rosterperiod"
# The summaries hold the roster's own periods too, under this kind and the empty code: the
# number of graduates in a cell as of T is counted exactly like a destination code.
ROSTER_KIND = "roster"

# Weekly flows come at two grains: per department (what the department ranking, the weekly
# series and totals read, an eighth of the rows) and per department, major and gender (the
# "detailed" grain; a major also fixes the degree level: rates by major, degree or gender).
# Totals are at the detailed grain; summed up they give the department's.
_FLOW_COLUMNS = "institution_id, cohort_id, kind, department_id, code, week"
_FLOW_KEY = "cohort_id, kind, department_id, code, week"
_DETAIL_FLOW_COLUMNS = (
    "institution_id, cohort_id, kind, department_id, major_id, gender, code, week"
)
_DETAIL_FLOW_KEY = "cohort_id, kind, department_id, major_id, gender, code, week"
_TOTAL_COLUMNS = "institution_id, cohort_id, kind, department_id, major_id, gender, code"
_TOTAL_KEY = "cohort_id, kind, department_id, major_id, gender, code"
_HELD_COLUMNS = (
    "institution_id, cohort_id, kind, department_id, major_id, gender, code, valid_from, valid_to"
)


# --- what is held: destination periods within the graduate's roster periods -----------------------
# A graduate counts for a code in a cell (cohort, department, major, gender) while a destination
# period and a roster period of theirs overlap: the intersection of the two, attributed to the
# roster period's cell. So a transfer moves a graduate's destination with them from the moment
# of the transfer, and leaving the cohort ends it, without rewriting either history.
def _pairs(periods: str, roster: str) -> str:
    """Intersections of destination periods `periods` (p) with roster periods `roster` (r).

    GREATEST/LEAST skip NULLs, so an open end is only open when both ends are; empty
    intersections are left out. A destination period's cohort is its graduate's cohort.
    """
    return (
        "SELECT r.institution_id, r.cohort_id, p.kind, r.department_id, r.major_id, r.gender, "
        "p.code, GREATEST(p.valid_from, r.valid_from) AS valid_from, "
        "LEAST(p.valid_to, r.valid_to) AS valid_to "
        f"FROM {periods} p JOIN {roster} r ON r.graduate_id = p.graduate_id "
        "AND r.cohort_id = p.cohort_id "
        "WHERE LEAST(p.valid_to, r.valid_to) IS NULL "
        "OR LEAST(p.valid_to, r.valid_to) > GREATEST(p.valid_from, r.valid_from)"
    )


def _roster_held(roster: str) -> str:
    """The roster periods themselves, as holdings of ROSTER_KIND (empty ones left out)."""
    return (
        f"SELECT r.institution_id, r.cohort_id, '{ROSTER_KIND}' AS kind, r.department_id, "
        "r.major_id, r.gender, '' AS code, r.valid_from, r.valid_to "
        f"FROM {roster} r WHERE r.valid_to IS NULL OR r.valid_to > r.valid_from"
    )


def _held_of_periods(periods: str) -> str:
    return _pairs(periods, ROSTER_PERIOD)


def _held_of_roster(roster: str) -> str:
    return f"{_pairs(PERIOD, roster)} UNION ALL {_roster_held(roster)}"


def _held_all() -> str:
    return f"{_pairs(PERIOD, ROSTER_PERIOD)} UNION ALL {_roster_held(ROSTER_PERIOD)}"


def _flow_parts(held: str, sign: int) -> str:
    """Start and end contributions of the holdings `held`, times `sign`."""
    return (
        f"SELECT {_TOTAL_COLUMNS}, reports_week(h.valid_from) AS week, "
        f"{sign} AS starts, 0 AS ends FROM ({held}) h "
        "UNION ALL "
        f"SELECT {_TOTAL_COLUMNS}, reports_week(h.valid_to) AS week, "
        f"0 AS starts, {sign} AS ends FROM ({held}) h WHERE h.valid_to IS NOT NULL"
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


def _changed(held: Any) -> tuple[str, str, str]:
    """The trigger bodies for INSERT, DELETE and UPDATE of a table whose holdings are `held`."""
    return (
        _flow_upsert([_flow_parts(held("new_rows"), 1)], subtracts=False),
        _flow_upsert([_flow_parts(held("old_rows"), -1)]),
        _flow_upsert([_flow_parts(held("old_rows"), -1), _flow_parts(held("new_rows"), 1)]),
    )


def _functions_sql(time_zone: str) -> str:
    tz = time_zone.replace("'", "''")
    period_insert, period_delete, period_update = _changed(_held_of_periods)
    roster_insert, roster_delete, roster_update = _changed(_held_of_roster)
    everything = f"DELETE FROM {FLOW}; DELETE FROM {DETAIL_FLOW}; DELETE FROM {TOTAL};"
    codes_only = " ".join(
        f"DELETE FROM {table} WHERE kind <> '{ROSTER_KIND}';"
        for table in (FLOW, DETAIL_FLOW, TOTAL)
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
  ELSIF TG_OP = 'TRUNCATE' THEN {codes_only}
  END IF;
  RETURN NULL;
END $body$;

CREATE OR REPLACE FUNCTION reports_roster_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  IF TG_OP = 'INSERT' THEN {roster_insert}
  ELSIF TG_OP = 'DELETE' THEN {roster_delete}
  ELSIF TG_OP = 'UPDATE' THEN {roster_update}
  ELSIF TG_OP = 'TRUNCATE' THEN {everything}
  END IF;
  RETURN NULL;
END $body$;
"""


_TRIGGERS = (
    (PERIOD, "reports_period_changed", "reports_period"),
    (ROSTER_PERIOD, "reports_roster_changed", "reports_roster"),
)
# Before the roster was dated, triggers on the graduates table kept a roster count.
_RETIRED = (
    *(f"DROP TRIGGER IF EXISTS reports_graduate_{event} ON {GRADUATE};"
      for event in ("insert", "delete", "update", "truncate")),
    "DROP FUNCTION IF EXISTS reports_graduate_changed();",
)  # fmt: skip


def _triggers_sql() -> str:
    statements = list(_RETIRED)
    for table, function, prefix in _TRIGGERS:
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
    LOCK TABLE {ROSTER_PERIOD}, {PERIOD} IN SHARE MODE;
    DELETE FROM {FLOW};
    DELETE FROM {DETAIL_FLOW};
    DELETE FROM {TOTAL};
    INSERT INTO {DETAIL_FLOW} ({_DETAIL_FLOW_COLUMNS}, starts, ends)
    SELECT {_DETAIL_FLOW_COLUMNS}, SUM(starts), SUM(ends) FROM ({_flow_parts(_held_all(), 1)}) AS x
     GROUP BY {_DETAIL_FLOW_COLUMNS};
    INSERT INTO {FLOW} ({_FLOW_COLUMNS}, starts, ends)
    SELECT {_FLOW_COLUMNS}, SUM(starts), SUM(ends) FROM {DETAIL_FLOW}
     GROUP BY {_FLOW_COLUMNS} HAVING SUM(starts) <> 0 OR SUM(ends) <> 0;
    INSERT INTO {TOTAL} ({_TOTAL_COLUMNS}, holding)
    SELECT {_TOTAL_COLUMNS}, SUM(starts) - SUM(ends) FROM {DETAIL_FLOW}
     GROUP BY {_TOTAL_COLUMNS} HAVING SUM(starts) - SUM(ends) <> 0;
    """


def _drop_sql() -> str:
    drops = [
        f"DROP TRIGGER IF EXISTS {prefix}_{event} ON {table};"
        for table, _function, prefix in _TRIGGERS
        for event in ("insert", "delete", "update", "truncate")
    ]
    return "\n".join(
        [
            *_RETIRED,
            *drops,
            "DROP FUNCTION IF EXISTS reports_period_changed();",
            "DROP FUNCTION IF EXISTS reports_roster_changed();",
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
    """Recount the summaries from roster and destination periods (install() also does this)."""
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
    """Rows where the summaries disagree with a recount (all zero when they are exact).

    "roster" counts graduates whose open roster period does not match them (a writer that
    changed a graduate's cohort, department, major, gender or status without
    `graduates.services.roster_sync`); it is checked on every database.
    """
    conn = conn or connection
    roster = _roster_mismatches(conn)
    if not supported(conn):
        return {"flows": 0, "totals": 0, "roster": roster}
    recount = _flow_parts(_held_all(), 1)
    flow_checks = " UNION ALL ".join(
        f"""
    SELECT COUNT(*) AS n FROM (
      SELECT {columns}, SUM(starts) AS starts, SUM(ends) AS ends
        FROM ({recount}) AS x GROUP BY {columns}
    ) AS want FULL OUTER JOIN {table} AS have USING ({columns})
    WHERE have.starts IS DISTINCT FROM want.starts OR have.ends IS DISTINCT FROM want.ends
    """
        for table, columns in ((FLOW, _FLOW_COLUMNS), (DETAIL_FLOW, _DETAIL_FLOW_COLUMNS))
    )
    flows = f"SELECT SUM(n) FROM ({flow_checks}) AS d"
    totals = f"""
    SELECT COUNT(*) FROM (
      SELECT {_TOTAL_COLUMNS}, SUM(starts) - SUM(ends) AS holding
        FROM ({recount}) AS x GROUP BY {_TOTAL_COLUMNS}
      HAVING SUM(starts) - SUM(ends) <> 0
    ) AS want FULL OUTER JOIN {TOTAL} AS have USING ({_TOTAL_COLUMNS})
    WHERE have.holding IS DISTINCT FROM want.holding
    """
    with conn.cursor() as cursor:
        cursor.execute(flows)
        flow_count = int(cursor.fetchone()[0] or 0)  # SUM of counts: a numeric
        cursor.execute(totals)
        total_count = cursor.fetchone()[0]
    return {"flows": flow_count, "totals": total_count, "roster": roster}


def _roster_mismatches(conn: Any) -> int:
    """Graduates in the roster (在册) without exactly one matching open roster period, plus
    open periods of graduates who left."""
    sql = f"""
    SELECT COUNT(*) FROM {GRADUATE} g
      LEFT JOIN {ROSTER_PERIOD} r ON r.graduate_id = g.id AND r.valid_to IS NULL
     WHERE (g.roster_status = 'active' AND (r.id IS NULL OR r.cohort_id <> g.cohort_id
            OR r.department_id <> g.department_id OR r.major_id <> g.major_id
            OR r.gender <> g.gender))
        OR (g.roster_status <> 'active' AND r.id IS NOT NULL)
    """
    with conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]
