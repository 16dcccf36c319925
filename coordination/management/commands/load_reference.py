"""manage.py load_reference: the notice's districts, working groups and member units (idempotent)."""

from django.core.management.base import BaseCommand

from coordination.services.reference import reference_data_load


class Command(BaseCommand):
    help = "载入《工作机制》的基础数据：天津市、10个涉农区、市特镇办4个工作组和17个成员单位（已有的不变）。"

    def handle(self, *args, **options) -> None:
        created = reference_data_load()
        self.stdout.write(
            "基础数据已就绪：新建组织单位 {org_units} 个、工作组 {working_groups} 个、成员单位 {member_units} 个。".format(
                **created
            )
        )
