from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "renda.stats"
    verbose_name = "登记统计"

    def ready(self) -> None:
        from renda.core.audit_labels import register_labels
        from renda.stats import navigation

        navigation.register()
        register_labels(navigation.AUDIT_LABELS)
