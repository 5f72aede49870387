"""Guards: discriminatory phrasings and fee demands are found (with the matched text, the
ground and its legal basis); voice parts and choirs are musical requirements and are not."""

import pytest

from qihang.jobs.guards import check_job, check_text
from qihang.jobs.models import GuardRule
from tests.factories import make_employer, make_job

TRUE_POSITIVES = [
    ("限男性", "gender"),
    ("仅招女生", "gender"),
    ("男性优先", "gender"),
    ("女士优先考虑", "gender"),
    ("性别：男", "gender"),
    ("不招女性", "gender"),
    ("限汉族", "ethnicity"),
    ("汉族优先", "ethnicity"),
    ("无宗教信仰", "religion"),
    ("本地户口", "region"),
    ("沪籍优先", "region"),
    ("限上海户籍", "region"),
    ("外地人勿扰", "region"),
    ("35岁以下", "age"),
    ("年龄不超过30岁", "age"),
    ("年龄：22-28周岁", "age"),
    ("1995年以后出生", "age"),
    ("未婚", "marital"),
    ("已婚已育优先", "marital"),
    ("两年内不生育", "marital"),
    ("乙肝携带者勿扰", "health"),
    ("身体健康无乙肝", "health"),
    ("无传染病", "health"),
    ("985/211院校毕业", "school"),
    ("第一学历本科", "school"),
    ("统招一本", "school"),
    ("九大音乐学院毕业", "school"),
    ("入职需缴纳培训费2000元", "fees"),
    ("押金500元", "fees"),
    ("服装费自理", "fees"),
    ("报名费100元", "fees"),
    ("需交保证金", "fees"),
    ("扣押身份证", "fees"),
]

# Musical requirements and ordinary phrases that no rule may catch.
FALSE_POSITIVES = [
    "招聘男高音声部演员2名",
    "女高音独唱演员",
    "男中音、男低音各1名",
    "女中音声部",
    "男声合唱团招聘声部长",
    "女声合唱团钢琴伴奏",
    "限男高音声部",
    "仅招女中音",
    "童声合唱团指导教师",
    "面向12岁以下儿童的钢琴启蒙课程",
    "单位提供免费培训，免培训费",
    "男女不限，有乐团经验者优先",
    "18周岁以上，能适应巡演",
    "联系电话 021-62111985 转 211",
    "国籍不限",
    "身体健康，能适应长时间排练",
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "ground"), TRUE_POSITIVES)
def test_discriminatory_phrasings_are_found(text, ground):
    findings = check_text({"description": f"岗位要求：{text}。"})
    assert ground in {f.ground for f in findings}, findings
    finding = next(f for f in findings if f.ground == ground)
    assert finding.phrase and finding.phrase in f"岗位要求：{text}。"
    assert finding.reason and finding.basis
    assert finding.field == "description"


@pytest.mark.django_db
@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_voice_parts_and_ordinary_phrases_are_not_flagged(text):
    assert check_text({"title": text, "description": text}) == []


@pytest.mark.django_db
def test_every_field_an_applicant_reads_is_checked():
    findings = check_text(
        {"title": "钢琴教师（限女性）", "majors": "985院校音乐学", "contact": "押金"}
    )
    assert {(f.field, f.ground) for f in findings} == {
        ("title", "gender"),
        ("majors", "school"),
        ("contact", "fees"),
    }


@pytest.mark.django_db
def test_full_width_text_is_normalised():
    assert {f.ground for f in check_text({"description": "３５岁以下"})} == {"age"}


@pytest.mark.django_db
def test_a_disabled_rule_stops_flagging_and_a_new_one_starts():
    rule = GuardRule.objects.get(match="phrase", pattern="双一流")
    assert check_text({"description": "双一流高校毕业"})
    rule.is_active = False
    rule.save()
    assert check_text({"description": "双一流高校毕业"}) == []
    GuardRule.objects.create(ground="fees", match="phrase", pattern="琴房使用费", reason="收费")
    assert [f.phrase for f in check_text({"description": "每月琴房使用费300元"})] == ["琴房使用费"]


@pytest.mark.django_db
def test_same_contact_behind_another_credit_code_is_flagged(school):
    first = make_employer("甲乐团", serial=21, institution=school.institution)
    second = make_employer("乙乐团", serial=22, institution=school.institution)
    for employer in (first, second):
        employer.contact_phone = "13800001111"
        employer.save()
    job = make_job(second, school.institution, title="小提琴演奏员")
    flags = check_job(job)
    assert [f["ground"] for f in flags] == ["contact"]
    assert first.credit_code in flags[0]["reason"]
    third = make_employer("丙乐团", serial=23, institution=school.institution)
    assert check_job(make_job(third, school.institution)) == []
