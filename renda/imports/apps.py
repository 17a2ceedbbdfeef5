from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "renda.imports"
    verbose_name = "批量导入"
