app_name = "requests_app_api"

urlpatterns = []
