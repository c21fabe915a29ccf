from django.apps import AppConfig


class VocabulariesConfig(AppConfig):
    name = "vocabularies"
    label = "vocabularies"
    verbose_name = "Vocabularies"
