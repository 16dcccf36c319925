from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project package as an app: only to connect the security log's receivers at start-up."""

    name = "tianjin_towns"
    verbose_name = "天津市特色小镇规划建设协同平台"

    def ready(self) -> None:
        from . import security

        security.connect_receivers()
