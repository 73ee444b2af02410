from django.urls import path

from screening import log_views

app_name = "log"

# Decisions are addressed by their UUID and candidates by screening number, never a sequential id.
urlpatterns = [
    path("", log_views.ScreeningLogView.as_view(), name="list"),
    path("export.csv", log_views.LogExportView.as_view(), {"fmt": "csv"}, name="export-csv"),
    path("export.xlsx", log_views.LogExportView.as_view(), {"fmt": "xlsx"}, name="export-xlsx"),
    path("summary/", log_views.SummaryView.as_view(), name="summary"),
    path("decisions/<uuid:public_id>/sign/", log_views.SignOffView.as_view(), name="signoff"),
    path(
        "candidates/<str:number>/audit-trail/",
        log_views.AuditTrailView.as_view(),
        name="audit-trail",
    ),
]
