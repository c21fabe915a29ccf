app_name = "oaipmh_api"

urlpatterns = []
