"""Turns django-ratelimit's refusal into 429 with a Chinese message."""

from django.http import JsonResponse
from django.shortcuts import render
from django_ratelimit.exceptions import Ratelimited

from .ratelimits import MESSAGE

RETRY_AFTER_SECONDS = 60


class RatelimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Ratelimited):
            return None
        message = str(MESSAGE)
        wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
            "Accept", ""
        )
        if wants_json:
            response = JsonResponse({"detail": message}, status=429)
        else:
            response = render(request, "security/429.html", {"message": message}, status=429)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
