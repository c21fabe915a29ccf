app_name = "vocabularies_api"

urlpatterns = []
