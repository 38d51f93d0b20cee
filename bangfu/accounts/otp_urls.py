app_name = "otp"

urlpatterns = []
