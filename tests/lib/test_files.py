"""Private files: a recording answers byte ranges as media players ask for them."""

import pytest

from qihang.lib.files import clean_name, private_media_response

DATA = bytes(range(100))


@pytest.mark.parametrize(
    ("header", "status", "body", "content_range"),
    [
        ("", 200, DATA, None),
        ("bytes=0-", 206, DATA, "bytes 0-99/100"),
        ("bytes=10-19", 206, DATA[10:20], "bytes 10-19/100"),
        ("bytes=90-500", 206, DATA[90:], "bytes 90-99/100"),
        ("bytes=-5", 206, DATA[95:], "bytes 95-99/100"),
        ("bytes=100-", 416, b"", "bytes */100"),
        ("bytes=20-10", 416, b"", "bytes */100"),
        ("items=0-1", 200, DATA, None),  # not a byte range: the whole file
        ("bytes=0-1,5-6", 200, DATA, None),  # several ranges: the whole file
    ],
)
def test_a_recording_answers_one_byte_range(header, status, body, content_range):
    response = private_media_response(
        DATA, filename="第一讲.mp4", content_type="video/mp4", range_header=header
    )
    assert response.status_code == status
    assert response.content == body
    assert response.get("Content-Range") == content_range
    if status != 416:
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Accept-Ranges"] == "bytes"


def test_clean_name_keeps_only_the_file_name():
    assert clean_name("C:\\Users\\x\\简历.pdf") == "简历.pdf"
    assert clean_name("../../etc/passwd\x00") == "passwd"
    assert clean_name("") == "file"
