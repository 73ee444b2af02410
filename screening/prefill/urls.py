from django.urls import path

from screening.prefill import views

# Included under the screening app's namespace, below an episode's URL.
urlpatterns = [
    path("", views.PrefillView.as_view(), name="prefill"),
    path("approve/", views.PrefillApproveView.as_view(), name="prefill-approve"),
]
