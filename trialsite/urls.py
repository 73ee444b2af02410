from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from trialsite.access_log_views import AccessLogView
from trialsite.views import HomeView, health

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", health, name="health"),
    path("log/", include("screening.review.urls")),
    path("standards/", include("screening.review.standards.urls")),
    path("candidates/", include("screening.intake.urls")),
    path("criteria/", include("criteria.urls")),
    path("criteria/", include("screening.impact_urls")),
    path("access-log/", AccessLogView.as_view(), name="access-log"),
    path("admin/", admin.site.urls),
]
