"""Keeps the request's source address and user for the audit trail."""

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("bangfu_ip", default=None)
_request: ContextVar[object | None] = ContextVar("bangfu_request", default=None)


def current_ip() -> str | None:
    return _ip.get()


def current_user():
    """The signed-in user of the request being handled, or None (anonymous, no request).

    Read when asked, not when the request arrives: the API authenticates inside
    the view and sets ``request.user`` then.
    """
    request = _request.get()
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip_token = _ip.set(request.META.get("REMOTE_ADDR") or None)
        request_token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(request_token)
            _ip.reset(ip_token)
