"""manage.py sync_grants: every user holds what their role, unit and working group's routes give today.

Run after each upgrade (docker-compose's `migrate` service does): a release that adds a permission to a
role (e.g. 维护重点项目台账 for the information officers) reaches the users who already have that role.
"""

from django.core.management.base import BaseCommand

from coordination.services import grants_sync


class Command(BaseCommand):
    help = "按当前的角色、所属单位和事项分工重新授予全部用户的权限（升级后运行）。"

    def handle(self, *args, **options) -> None:
        count = grants_sync()
        self.stdout.write(f"已按角色和事项分工更新 {count} 个用户的权限。")
