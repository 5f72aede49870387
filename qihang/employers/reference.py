"""Reference data of the employers app, each list with its version.

Channels are rows (employers.Channel, loaded by migration 0003 from CHANNELS) because records
point at them; industries are the sections of GB/T 4754-2017, a short fixed list offered as a
select and stored by their letter in Employer.industry_code.
"""

from __future__ import annotations

from typing import Any, NamedTuple

CHANNELS_VERSION = "2026"


class ChannelSpec(NamedTuple):
    code: str
    name: str
    credits_person: bool  # a member of staff is credited (their lead), or the channel is impersonal


# How an employer or a job reached the school (issue 7; the seed's "mobilise everyone").
CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("platform", "招聘平台", False),
    ChannelSpec("department_leader", "院系领导", True),
    ChannelSpec("teacher", "专业教师", True),
    ChannelSpec("counsellor", "辅导员", True),
    ChannelSpec("alumnus", "校友", True),
    ChannelSpec("alumni_enterprise", "校友企业", False),
    ChannelSpec("partner", "合作单位", False),
    ChannelSpec("city_network", "城市招聘网络", False),
    ChannelSpec("national_platform", "国家平台", False),
    ChannelSpec("career_fair", "招聘会", False),
    ChannelSpec("walk_in", "主动来访", False),
    ChannelSpec("other", "其他", False),
)
ALUMNI_ENTERPRISE_CHANNEL = "alumni_enterprise"


def load_channels(apps: Any, version: str = CHANNELS_VERSION) -> None:
    """Create or update the channels of CHANNELS (a data migration calls this)."""
    channel_model = apps.get_model("employers", "Channel")
    for order, spec in enumerate(CHANNELS, start=1):
        channel_model.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "credits_person": spec.credits_person,
                "sort_order": order * 10,
                "version": version,
                "is_active": True,
            },
        )


INDUSTRIES_VERSION = "GB/T 4754-2017"
# (section letter, name)
INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("A", "农、林、牧、渔业"),
    ("B", "采矿业"),
    ("C", "制造业"),
    ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"),
    ("F", "批发和零售业"),
    ("G", "交通运输、仓储和邮政业"),
    ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"),
    ("J", "金融业"),
    ("K", "房地产业"),
    ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"),
    ("N", "水利、环境和公共设施管理业"),
    ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"),
    ("Q", "卫生和社会工作"),
    ("R", "文化、体育和娱乐业"),
    ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
)
INDUSTRY_NAMES = dict(INDUSTRIES)
