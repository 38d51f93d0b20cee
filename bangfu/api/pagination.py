from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """?page=N, and ?page_size= up to 100 for scripted clients."""

    page_size_query_param = "page_size"
    max_page_size = 100
