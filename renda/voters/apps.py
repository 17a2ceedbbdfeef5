from django.apps import AppConfig


class VotersConfig(AppConfig):
    name = "renda.voters"
    verbose_name = "选民登记"

    def ready(self) -> None:
        from renda.voters import navigation

        navigation.register()
