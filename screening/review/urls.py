from django.urls import path

from screening.review import views

app_name = "log"

# Decisions are addressed by their UUID and candidates by screening number, never a sequential id.
urlpatterns = [
    path("", views.ScreeningLogView.as_view(), name="list"),
    path("export.csv", views.LogExportView.as_view(), {"fmt": "csv"}, name="export-csv"),
    path("export.xlsx", views.LogExportView.as_view(), {"fmt": "xlsx"}, name="export-xlsx"),
    path("summary/", views.SummaryView.as_view(), name="summary"),
    path("decisions/<uuid:public_id>/sign/", views.SignOffView.as_view(), name="signoff"),
    path(
        "candidates/<str:number>/audit-trail/",
        views.AuditTrailView.as_view(),
        name="audit-trail",
    ),
]
