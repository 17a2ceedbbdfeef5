from django.apps import AppConfig


class VotersConfig(AppConfig):
    name = "renda.voters"
    verbose_name = "选民登记"

    def ready(self) -> None:
        from renda.core.audit_labels import register_labels
        from renda.voters import navigation
        from renda.voters.audit import LABELS

        navigation.register()
        register_labels(LABELS)
