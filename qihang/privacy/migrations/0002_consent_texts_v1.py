"""The first version of each purpose's consent text, in plain words (reference data: a new
wording is a new row with the next version, added by a later migration)."""

import datetime

from django.db import migrations

EFFECTIVE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

TEXTS = [
    (
        "employment",
        "就业服务",
        "学校就业指导中心和你所在院系会用你的学籍信息、联系方式和毕业去向，"
        "为你推荐岗位、通知宣讲会和双选会、提醒你办理三方协议和档案手续，"
        "并按规定向教育主管部门报送毕业去向。\n"
        "只有为你提供这些服务的老师能看到这些信息，每次查看身份证号等敏感信息都会被记录，"
        "你可以在本页看到是谁、在什么时候、为什么查看。\n"
        "撤回后，我们不再向你推送岗位和活动消息；按规定必须报送的毕业去向数据仍会报送。",
    ),
    (
        "resume_sharing",
        "向用人单位展示简历",
        "同意后，在本校通过认证的用人单位可以搜索到你，查看你的简历、作品集和上传的PDF简历。\n"
        "每一次查看都会被记录，你可以在“谁看过我的简历”里看到是哪家单位、什么时候看的。\n"
        "你随时可以撤回：撤回后，用人单位立刻就看不到你的简历了"
        "（你主动投递过的单位，在申请未撤回前仍能看到你投递的简历）。",
    ),
    (
        "key_group",
        "重点群体帮扶",
        "如果学校确认你属于国家规定需要重点帮扶的毕业生群体，"
        "你的辅导员和就业指导中心会据此为你提供一对一指导、优先推荐岗位、"
        "帮你申请求职补贴等帮扶。是否属于、属于哪一类，都由老师逐一确认，不会自动认定。\n"
        "你属于哪一类只有负责帮扶你的老师能看到，统计数字里不会出现你的名字。\n"
        "撤回后，老师不再据此主动联系你提供帮扶；已经发放的补贴记录按财务规定保存。",
    ),
    (
        "wellbeing",
        "心理关怀",
        "你填写的心理自评只有学校的心理咨询老师能看到，"
        "就业老师、辅导员和院系领导都看不到你的回答，只能看到不少于五人的汇总人数。\n"
        "如果你请老师联系你，或者自评结果显示你可能需要帮助，心理咨询老师会联系你。\n"
        "你也可以匿名填写，匿名的自评不会和你的名字联系在一起。"
        "撤回后，心理咨询老师不会再因为你的自评主动联系你。",
    ),
]


def load(apps, schema_editor):
    ConsentText = apps.get_model("privacy", "ConsentText")
    for purpose, title, text in TEXTS:
        ConsentText.objects.update_or_create(
            purpose=purpose,
            version=1,
            defaults={"title": title, "text": text, "effective_from": EFFECTIVE},
        )


def unload(apps, schema_editor):
    apps.get_model("privacy", "ConsentText").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_consents")]

    operations = [migrations.RunPython(load, unload)]
