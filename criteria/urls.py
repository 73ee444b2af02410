from django.urls import path

from criteria import views

app_name = "criteria"

urlpatterns = [
    path("", views.TrialListView.as_view(), name="trial-list"),
    path("<str:trial>/drafts/new/", views.DraftCreateView.as_view(), name="draft-create"),
    path("<str:trial>/history/", views.CriteriaHistoryView.as_view(), name="history"),
    path("<str:trial>/v<int:version>/", views.CriteriaSetDetailView.as_view(), name="set-detail"),
    path(
        "<str:trial>/v<int:version>/add/", views.CriterionEditView.as_view(), name="criterion-add"
    ),
    path("<str:trial>/v<int:version>/diff/", views.DiffView.as_view(), name="set-diff"),
    path("<str:trial>/v<int:version>/publish/", views.PublishView.as_view(), name="set-publish"),
    path(
        "<str:trial>/v<int:version>/<str:code>/edit/",
        views.CriterionEditView.as_view(),
        name="criterion-edit",
    ),
    path(
        "<str:trial>/v<int:version>/<str:code>/remove/",
        views.CriterionRetireView.as_view(),
        name="criterion-retire",
    ),
]
