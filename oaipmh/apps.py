from django.apps import AppConfig


class OAIPMHConfig(AppConfig):
    name = "oaipmh"
    label = "oaipmh"
    verbose_name = "OAI-PMH"
