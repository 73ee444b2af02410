from django.urls import path

from screening.impact_views import ImpactView

app_name = "impact"

urlpatterns = [
    path("<str:trial>/v<int:version>/impact/", ImpactView.as_view(), name="preview"),
]
