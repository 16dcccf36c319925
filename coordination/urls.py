from django.urls import include, path

urlpatterns = [
    # Session login and logout for the browser pages (templates/registration/).
    path("accounts/", include("django.contrib.auth.urls")),
]
