"""Reference data: specialty tags fit for arts graduates (version 2026), grouped."""

from django.db import migrations

VERSION = "2026"

# (group, [(code, name)]) in display order.
TAGS = [
    (
        "键盘乐器",
        [("piano", "钢琴"), ("organ", "管风琴"), ("accordion", "手风琴"), ("harpsichord", "羽管键琴")],
    ),
    (
        "弦乐器",
        [
            ("violin", "小提琴"),
            ("viola", "中提琴"),
            ("cello", "大提琴"),
            ("double_bass", "低音提琴"),
            ("harp", "竖琴"),
            ("guitar", "吉他"),
        ],
    ),
    (
        "木管乐器",
        [
            ("flute", "长笛"),
            ("oboe", "双簧管"),
            ("clarinet", "单簧管"),
            ("bassoon", "大管"),
            ("saxophone", "萨克斯管"),
        ],
    ),
    (
        "铜管乐器",
        [("horn", "圆号"), ("trumpet", "小号"), ("trombone", "长号"), ("tuba", "大号")],
    ),
    ("打击乐器", [("percussion", "打击乐"), ("timpani", "定音鼓")]),
    (
        "民族乐器",
        [
            ("guzheng", "古筝"),
            ("guqin", "古琴"),
            ("erhu", "二胡"),
            ("pipa", "琵琶"),
            ("yangqin", "扬琴"),
            ("ruan", "阮"),
            ("dizi", "笛子"),
            ("sheng", "笙"),
            ("suona", "唢呐"),
            ("chinese_percussion", "民族打击乐"),
        ],
    ),
    (
        "声乐",
        [
            ("soprano", "女高音"),
            ("mezzo", "女中音"),
            ("tenor", "男高音"),
            ("baritone", "男中音"),
            ("bass_voice", "男低音"),
            ("folk_singing", "民族声乐"),
            ("popular_singing", "流行演唱"),
            ("choral", "合唱"),
        ],
    ),
    (
        "创作与指挥",
        [("composition", "作曲"), ("conducting", "指挥"), ("electronic_music", "电子音乐")],
    ),
    (
        "理论与教育",
        [
            ("music_education", "音乐教育"),
            ("musicology", "音乐学"),
            ("music_therapy", "音乐治疗"),
            ("piano_tuning", "钢琴调律"),
        ],
    ),
    (
        "制作与管理",
        [
            ("arts_management", "艺术管理"),
            ("sound_engineering", "录音与音响工程"),
            ("music_production", "音乐制作"),
            ("stage_management", "舞台管理"),
        ],
    ),
    ("舞蹈与戏剧", [("dance", "舞蹈"), ("drama", "戏剧"), ("opera_performance", "歌剧表演"), ("xiqu", "戏曲")]),
]


def load(apps, schema_editor):
    tag_model = apps.get_model("jobs", "SpecialtyTag")
    order = 0
    for group, tags in TAGS:
        for code, name in tags:
            order += 10
            tag_model.objects.update_or_create(
                code=code,
                defaults={"name": name, "group": group, "sort_order": order, "version": VERSION},
            )


def unload(apps, schema_editor):
    codes = [code for _group, tags in TAGS for code, _name in tags]
    apps.get_model("jobs", "SpecialtyTag").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_guard_rules_and_revisions")]
    operations = [migrations.RunPython(load, unload)]
