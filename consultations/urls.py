from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("assignment/<int:assignment_id>/", views.assignment_detail, name="assignment"),
    path("assignment/<int:assignment_id>/schedule/", views.schedule, name="schedule"),
    path("assignment/<int:assignment_id>/rate/", views.rate, name="rate"),
    path("<int:pk>/record/", views.record_edit, name="record"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/paper/", views.sign_paper, name="paper"),
    path("<int:pk>/resign/", views.request_resign, name="resign"),
    path("<int:pk>/pdf/", views.record_pdf, name="pdf"),
    path("<int:pk>/scan/", views.record_scan, name="scan"),
    path("<int:pk>/signature/", views.record_signature, name="signature"),
    path("signer/<int:pk>/scan/", views.signer_scan, name="signer_scan"),
    path("signer/<int:pk>/signature/", views.signer_signature, name="signer_signature"),
    path("rating/<int:pk>/form/", views.rating_form_download, name="rating_form"),
    path("proposal/<int:proposal_id>/close/", views.close, name="close"),
]
