from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "renda.roster"
    verbose_name = "基础数据与核查"

    def ready(self) -> None:
        from renda.core.audit_labels import register_labels
        from renda.roster import navigation, navigation_checks
        from renda.roster.importers import register_base_importer

        navigation.register()
        register_labels(navigation.AUDIT_LABELS)
        navigation_checks.register()
        register_labels(navigation_checks.AUDIT_LABELS)
        register_base_importer()
