"""The workbook pages, included by ``oversight.urls`` (names ``oversight:workbook_*``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="workbook_home"),
    path("export.xlsx", views.export, name="workbook_export"),
    path("template.xlsx", views.template, name="workbook_template"),
    path("upload/", views.upload, name="workbook_upload"),
    path("jobs/<str:token>/", views.job, name="workbook_job"),
    path("jobs/<str:token>/status/", views.job_status, name="workbook_job_status"),
    path("jobs/<str:token>/commit/", views.commit, name="workbook_commit"),
]
