from django.urls import include, path

from screening.intake import decision_views, views

app_name = "screening"

# Candidates are addressed by screening number, never by a sequential database id.
urlpatterns = [
    path("", views.CandidateListView.as_view(), name="candidate-list"),
    path("new/", views.CandidateRegisterView.as_view(), name="candidate-register"),
    path("<str:number>/", views.CandidateDetailView.as_view(), name="candidate-detail"),
    path("<str:number>/edit/", views.CandidateChangeView.as_view(), name="candidate-change"),
    path("<str:number>/episodes/new/", views.ScreeningStartView.as_view(), name="screening-start"),
    path(
        "<str:number>/episodes/<int:episode>/",
        views.ScreeningFormView.as_view(),
        name="screening-form",
    ),
    path(
        "<str:number>/episodes/<int:episode>/decide/",
        decision_views.DecisionRecordView.as_view(),
        name="decision-record",
    ),
    path("<str:number>/episodes/<int:episode>/prefill/", include("screening.prefill.urls")),
    path(
        "<str:number>/episodes/<int:episode>/reevaluate/",
        decision_views.DecisionReevaluateView.as_view(),
        name="decision-reevaluate",
    ),
]
