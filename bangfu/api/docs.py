"""The OpenAPI schema and Swagger UI, served from local files under the strict CSP.

The page's own script comes from a separate URL (``?script``) and the page has
no inline style, so it needs nothing beyond ``'self'``.
"""

from django.utils.cache import add_never_cache_headers
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

SchemaView = SpectacularAPIView


class DocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "帮扶 bangfu API"
    url_name = "api:schema"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # The init script carries the user's CSRF token.
        add_never_cache_headers(response)
        return response
