"""DOT under /o/, as its tutorial mounts it; Django's sign-in page for the consent step; one protected API."""

from django.contrib.auth.views import LoginView
from django.http import JsonResponse
from django.urls import include, path
from oauth2_provider.views.generic import ProtectedResourceMetadataView


class Me(ProtectedResourceMetadataView):
    """The API the app calls with its token: DOT checks the token and answers 401 (RFC 6750) when it is dead."""

    def get(self, request, *args, **kwargs):
        return JsonResponse({"username": request.resource_owner.get_username()})


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("api/me", Me.as_view(), name="me"),
]
