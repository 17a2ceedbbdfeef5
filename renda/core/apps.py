from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "renda.core"
    verbose_name = "公共"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renda.core.audit_window import close_after_migrate
        from renda.core.registry import NavItem, register_nav

        register_nav(NavItem(_("通知"), "notifications", 1, lambda user: user.is_authenticated))

        post_migrate.connect(
            close_after_migrate, sender=self, dispatch_uid="renda.core.close_audit_window"
        )
