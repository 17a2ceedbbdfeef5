from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "renda.regions"
    verbose_name = "行政区划与选区"
