"""Reference data: the default guard rules (version 2026) against discriminatory postings and
fee demands. Each rule is a phrase or a regular expression over the posting's text (NFKC
normalised, case-insensitive) with the ground it violates and the legal basis shown to the
reviewer and the employer. The platform administrator edits them afterwards (GUARD_MANAGE).

Voice parts (男高音, 女中音, 男声合唱) are legitimate musical requirements: the gender patterns
stop before them (negative lookahead), and tests/jobs/test_guards.py holds them to it.
"""

from django.db import migrations

VERSION = "2026"

LAW_EQUAL = "《就业促进法》第三条：劳动者就业，不因民族、种族、性别、宗教信仰等不同而受歧视。"
LAW_MARKET = (
    "《人力资源市场暂行条例》第二十四条：招聘信息不得含有民族、种族、性别、宗教信仰等方面的歧视性内容。"
)
LAW_WOMEN = (
    "《就业促进法》第二十七条；人力资源社会保障部等九部门《关于进一步规范招聘行为促进妇女就业的通知》"
    "（人社部发〔2019〕17号）：不得限定性别或性别优先，不得询问婚育情况。"
)
LAW_ETHNIC = "《就业促进法》第二十八条：各民族劳动者享有平等的劳动权利。"
LAW_HEALTH = (
    "《就业促进法》第三十条：不得以是传染病病原携带者为由拒绝录用；人力资源社会保障部等三部门"
    "《关于进一步规范入学和就业体检项目维护乙肝表面抗原携带者入学和就业权利的通知》"
    "（人社部发〔2010〕12号）：不得要求开展乙肝项目检测。"
)
LAW_DISABILITY = "《就业促进法》第二十九条：用人单位招用人员，不得歧视残疾人。"
LAW_REGION = (
    "《就业促进法》第三十一条：不得对农村劳动者进城就业设置歧视性限制；"
    "《就业服务与就业管理规定》第二十条：不得以户籍、地域等设置限制条件。"
)
LAW_AGE = LAW_MARKET + "教育部、人力资源社会保障部关于高校毕业生就业工作的通知：坚决防止和纠正年龄等就业歧视。"
LAW_SCHOOL = (
    "教育部关于做好全国普通高校毕业生就业创业工作的通知：不得将毕业院校、国（境）外学习经历、"
    "学习方式等作为限制性条件，坚决纠正“第一学历”等歧视性要求。"
)
LAW_FEES = (
    "《劳动合同法》第九条：用人单位招用劳动者，不得要求劳动者提供担保或者以其他名义向劳动者收取财物；"
    "《就业服务与就业管理规定》第十四条：不得以招用人员为名牟取不正当利益。"
)

G, E, R, H, A, HE, M, S, F = (
    "gender",
    "ethnicity",
    "religion",
    "region",
    "age",
    "health",
    "marital",
    "school",
    "fees",
)
# Voice parts and choirs a gender pattern must not catch (男高音, 女中音, 男声合唱, 女低音 …).
NOT_VOICE = r"(?!高音|中音|低音|声|童声)"

# (ground, "phrase" | "regex", pattern, reason, legal basis)
RULES = [
    # Gender
    (G, "regex", r"(?:限|仅限|只限|只招|仅招|限招|招收|只要|仅要)(?:男|女)(?:性|生|士|孩)?" + NOT_VOICE,
     "限定应聘者性别", LAW_WOMEN),
    (G, "regex", r"(?:男|女)(?:性|生|士)?优先", "性别优先", LAW_WOMEN),
    (G, "regex", r"(?:不招|不要|不收|谢绝|拒绝|婉拒)(?:男|女)(?:性|生|士)?" + NOT_VOICE,
     "排斥某一性别", LAW_WOMEN),
    (G, "regex", r"性别(?:要求|限制|限定)?\s*[:：]?\s*(?:限|仅)?(?:男|女)(?:性|生)?" + NOT_VOICE,
     "限定应聘者性别", LAW_WOMEN),
    (G, "regex", r"(?:要求|适合|需)(?:男|女)(?:性|生)", "限定应聘者性别", LAW_WOMEN),
    # Ethnicity
    (E, "regex", r"(?:限|仅限|只招|仅招|要求)(?:汉|回|藏|维吾尔|蒙古|壮|满|苗|彝|朝鲜)族", "限定民族", LAW_ETHNIC),
    (E, "phrase", "汉族优先", "民族优先", LAW_ETHNIC),
    (E, "regex", r"(?:不招|谢绝|拒绝)少数民族|少数民族(?:勿扰|除外|不招)", "排斥少数民族", LAW_ETHNIC),
    (E, "regex", r"民族\s*[:：]\s*(?:限)?汉", "限定民族", LAW_ETHNIC),
    # Religion
    (R, "regex", r"(?:无|没有|不得有|不能有)宗教信仰", "以宗教信仰为条件", LAW_EQUAL),
    (R, "regex", r"(?:不信仰|不信)(?:任何)?宗教", "以宗教信仰为条件", LAW_EQUAL),
    (R, "regex", r"(?:谢绝|不招|拒绝)(?:信教|宗教信徒|[\u4e00-\u9fa5]{0,2}教徒)", "排斥宗教信徒", LAW_EQUAL),
    (R, "regex", r"(?:限|仅限|要求)(?:基督徒|佛教徒|穆斯林|天主教徒)", "以宗教信仰为条件", LAW_EQUAL),
    # Household registration (户籍) and region
    (H, "regex", r"本地(?:户口|户籍|人|生源)", "限定户籍或地域", LAW_REGION),
    (H, "regex", r"(?<![国党学书典祖原])(?:沪|京|津|渝|苏|浙|粤|闽|鲁|豫|川|湘|鄂|皖|赣|冀|晋|辽|吉|黑|陕|甘|琼|滇|黔|桂)籍",
     "限定户籍", LAW_REGION),
    (H, "regex", r"(?:限|仅限|要求|需|须)(?:具有|具备|持有)?[\u4e00-\u9fa5]{0,4}(?:户口|户籍)", "限定户籍", LAW_REGION),
    (H, "regex", r"(?:外地|外省|农村|非本市)(?:户口|户籍|人|生源)?(?:勿扰|不要|不招|除外)", "排斥外地或农村户籍",
     LAW_REGION),
    (H, "regex", r"(?:限|仅限)[\u4e00-\u9fa5]{2,4}(?:省|市)?生源", "限定生源地", LAW_REGION),
    # Age
    (A, "regex", r"\d{2}\s*(?:周)?岁(?:以下|以内|之内|及以下)(?!的?(?:儿童|少儿|学生|学员|孩子|青少年))", "限定年龄", LAW_AGE),
    (A, "regex", r"年龄\s*(?:要求)?\s*[:：]?\s*(?:不超过|不大于|不高于|限|在)\s*\d{2}", "限定年龄", LAW_AGE),
    (A, "regex", r"年龄\s*[:：]?\s*\d{2}\s*(?:周?岁)?\s*[-~至到]\s*\d{2}\s*周?岁", "限定年龄", LAW_AGE),
    (A, "regex", r"\d{2}\s*岁以上(?:勿扰|不要|免谈)", "排斥年长者", LAW_AGE),
    (A, "regex", r"(?:19|20)\d{2}\s*年\s*\d{0,2}\s*月?\s*(?:1\s*日)?(?:以后|之后|后)出生", "限定出生年份", LAW_AGE),
    (A, "regex", r"(?<!\d)[0-9]{2}后(?:优先|勿扰)", "以年龄段为条件", LAW_AGE),
    # Health
    (HE, "phrase", "乙肝", "涉及乙肝检测或乙肝携带者", LAW_HEALTH),
    (HE, "regex", r"大三阳|小三阳|两对半|HBsAg", "涉及乙肝检测或乙肝携带者", LAW_HEALTH),
    (HE, "regex", r"(?:病原|病毒)?携带者(?:勿扰|不要|免谈|除外)", "排斥传染病病原携带者", LAW_HEALTH),
    (HE, "regex", r"(?:无|没有)(?:任何)?传染病", "以传染病为条件", LAW_HEALTH),
    (HE, "regex", r"(?:艾滋病|HIV)", "涉及艾滋病病毒携带者", LAW_HEALTH),
    (HE, "regex", r"残疾(?:人)?(?:勿扰|不要|除外|免谈)|(?:无|没有)残疾", "歧视残疾人", LAW_DISABILITY),
    # Marital and childbearing status
    (M, "regex", r"未婚|已婚|已育|未育|婚否", "以婚育状况为条件", LAW_WOMEN),
    (M, "regex", r"(?:[一二两三四五1-5]年内)?(?:不|无)(?:生育|怀孕|要孩子)|生育计划|不得怀孕", "限制生育", LAW_WOMEN),
    (M, "regex", r"婚姻状况|婚育情况|单身(?:优先|者)", "询问或限定婚育状况", LAW_WOMEN),
    # School and first degree
    # 985/211 next to a school word or a requirement (a phone extension "转211" is neither).
    (S, "regex", r"(?<!\d)(?:985|211)(?:\s*[/、,，和或及]\s*(?:985|211))?\s*(?:工程)?\s*(?:院校|高校|大学|学校|毕业|以上|优先|重点|名校|本科|学历)",
     "以毕业院校层次为条件（985/211）", LAW_SCHOOL),
    (S, "regex", r"(?:限|仅限|要求|须为|需为|必须为?|只招)\s*(?:985|211)(?!\d)", "以毕业院校层次为条件（985/211）", LAW_SCHOOL),
    (S, "phrase", "双一流", "以毕业院校层次为条件（双一流）", LAW_SCHOOL),
    (S, "phrase", "第一学历", "以“第一学历”为条件", LAW_SCHOOL),
    (S, "regex", r"统招一本|一本(?:院校|学历|毕业|以上)|全日制统招", "以入学批次或学习方式为条件", LAW_SCHOOL),
    (S, "regex", r"(?:名校|重点(?:院校|大学))(?:毕业)?(?:优先)?", "以毕业院校为条件", LAW_SCHOOL),
    (S, "regex", r"(?:九|八|十一)大(?:音乐学院|音院|美院)", "以毕业院校为条件", LAW_SCHOOL),
    (S, "regex", r"QS\s*(?:前|top)\s*\d+", "以毕业院校排名为条件", LAW_SCHOOL),
    # Fees, deposits and training charges (an employer may not take money from an applicant)
    (F, "regex",
     r"(?<![无免不])(?<!不收)(?<!不收取)(?<!无需)(?:培训费|押金|保证金|服装费|报名费|资料费|建档费|工装费|介绍费|中介费|体检费|考试费|入职费|风险金|会员费|上岗费)",
     "向应聘者收取费用或押金", LAW_FEES),
    (F, "regex", r"(?:缴纳|交纳|预交|先交|需交|需缴|自费)\s*[\d一二三四五六七八九十百千万]*\s*元?(?:的)?\s*(?:费用|培训|学费|押金)",
     "向应聘者收取费用或押金", LAW_FEES),
    (F, "regex", r"(?:扣押|抵押|押)\s*(?:身份证|毕业证|学位证|证件)", "扣押证件", LAW_FEES),
    (F, "regex", r"(?:先|需)?(?:购买|购置)(?:公司|本单位)?(?:课程|教材|产品)后?(?:上岗|入职)", "以购买为入职条件",
     LAW_FEES),
]


def load(apps, schema_editor):
    rule_model = apps.get_model("jobs", "GuardRule")
    for ground, match, pattern, reason, basis in RULES:
        rule_model.objects.update_or_create(
            match=match,
            pattern=pattern,
            defaults={"ground": ground, "reason": reason, "legal_basis": basis, "version": VERSION},
        )


def unload(apps, schema_editor):
    rule_model = apps.get_model("jobs", "GuardRule")
    for _ground, match, pattern, _reason, _basis in RULES:
        rule_model.objects.filter(match=match, pattern=pattern).delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_specialty_tags")]
    operations = [migrations.RunPython(load, unload)]
