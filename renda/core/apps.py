from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "renda.core"
    verbose_name = "公共"

    def ready(self) -> None:
        from renda.core.audit_window import close_after_migrate

        post_migrate.connect(
            close_after_migrate, sender=self, dispatch_uid="renda.core.close_audit_window"
        )
