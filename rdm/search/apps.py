from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "rdm.search"
    label = "search"
    verbose_name = "Search"
