app_name = "vocabularies"

urlpatterns = []
