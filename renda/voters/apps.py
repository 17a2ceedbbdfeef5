from django.apps import AppConfig


class VotersConfig(AppConfig):
    name = "renda.voters"
    verbose_name = "选民登记"

    def ready(self) -> None:
        from renda.core.audit_labels import register_labels
        from renda.voters import navigation
        from renda.voters.audit import LABELS
        from renda.voters.importing.importer import register_voter_importer

        navigation.register()
        register_labels(LABELS)
        register_voter_importer()
