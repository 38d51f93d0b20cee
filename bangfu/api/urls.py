from django.contrib.auth.decorators import login_required
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import docs, ledger_views, views

app_name = "api"

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("people", views.PersonViewSet, basename="person")
router.register("pairings", views.PairingViewSet, basename="pairing")
router.register("needs", ledger_views.NeedViewSet, basename="need")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("activities", ledger_views.ActivityViewSet, basename="activity")
router.register("dispatches", views.DispatchViewSet, basename="dispatch")
router.register("support", views.SupportViewSet, basename="support")

urlpatterns = [
    path("v1/", include(router.urls)),
    # Signed-in users only; anonymous visitors are sent to the login page.
    path("schema/", login_required(docs.SchemaView.as_view()), name="schema"),
    path("docs/", login_required(docs.DocsView.as_view()), name="docs"),
]
