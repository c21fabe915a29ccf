from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "rdm.records"
    label = "records"
    verbose_name = "Records"
