"""The local file backend: a file is written once and never replaced, whatever comes again."""

import datetime as dt
import os

from qihang.reporting.backends import LocalFileBackend, Submission

AT = dt.datetime(2020, 7, 9, 10, 0, tzinfo=dt.UTC)


def submission(data: bytes) -> Submission:
    return Submission("90001", 1, "2020届毕业去向上报（全部）.xlsx", data, AT)


def test_a_file_is_written_once_and_the_same_bytes_again_are_that_file(tmp_path):
    backend = LocalFileBackend(tmp_path)
    first = backend.push(submission(b"one"))
    assert open(first.reference, "rb").read() == b"one"
    assert oct(os.stat(first.reference).st_mode & 0o777) == "0o600"
    # The same run pushed again (a demo reloaded on its own clock): the file already there.
    assert backend.push(submission(b"one")).reference == first.reference
    # Other bytes under the same name never replace it: they get a name of their own.
    other = backend.push(submission(b"two"))
    assert other.reference != first.reference and other.reference.endswith("-2.xlsx")
    assert open(first.reference, "rb").read() == b"one"
    assert open(other.reference, "rb").read() == b"two"
    assert backend.push(submission(b"two")).reference == other.reference
