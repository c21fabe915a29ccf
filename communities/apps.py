from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    label = "communities"
    verbose_name = "Communities"
