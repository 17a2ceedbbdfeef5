from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "renda.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from renda.accounts import receivers  # noqa: F401  (login audit)
        from renda.accounts.importers import register_account_importer

        register_account_importer()

        from renda.accounts import navigation

        navigation.register()
