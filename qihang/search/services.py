"""Writes of the search index. Job services call `jobs_index` after every change to a job
(create, edit, status change, bulk import), in the same transaction."""

from collections.abc import Iterable


def jobs_index(job_ids: Iterable[int]) -> None:
    """Bring the full-text index of these jobs up to date (a deleted id is removed)."""
    # Implemented by the search work of issue 7; a no-op until then.
    return None
