"""Writes for graduates. Bulk roster writes live in graduates.importing."""

from qihang.lib.crypto import blind_index


def id_number_digest(id_number: str) -> str:
    """The keyed hash under which a graduate's ID number is unique and looked up."""
    return blind_index(id_number.upper(), "graduate.id_number")
