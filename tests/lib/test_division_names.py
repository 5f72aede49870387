"""GB/T 2260 divisions by code or by full name (some provincial exports write names)."""

import pytest

from qihang.lib import validators as v


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("上海市徐汇区", "310104"),
        ("广东省深圳市福田区", "440304"),
        ("上海市", "310000"),
        ("湖北省仙桃市", "429004"),
        ("北京市朝阳区", "110105"),
    ],
)
def test_a_full_name_is_its_code(name, code):
    assert v.division_code(name) == code
    assert v.division_name(code) == name


def test_names_that_are_not_divisions_or_not_unique():
    with pytest.raises(v.FieldError) as unknown:
        v.division_code("上海徐汇")
    assert unknown.value.code == "unknown"
    assert "不是GB/T 2260中的代码或完整名称" in unknown.value.message
    with pytest.raises(v.FieldError) as ambiguous:
        v.division_code("湖北省随州市")  # 421300 and the county-level 429001 of old
    assert (
        ambiguous.value.message == "“湖北省随州市”对应多个行政区划（421300、429001），请填写6位代码"
    )
    with pytest.raises(v.FieldError) as abolished:
        v.division_code("北京市崇文区")  # abolished in 2010: only current names are looked up
    assert abolished.value.code == "unknown"
