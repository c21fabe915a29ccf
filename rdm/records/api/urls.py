app_name = "records_api"

urlpatterns = []
