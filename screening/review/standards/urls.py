from django.urls import path

from screening.review.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.StandardsPageView.as_view(), name="page"),
    path("<slug:kind>/", views.StandardsDownloadView.as_view(), name="download"),
]
