from django.urls import path

from . import views
from .views import cosign, pickers, word
from .views.batch import proposal_batch
from .views.merge import proposal_merge_view, proposal_unmerge_view
from .views.similarity import similarity_dismiss_view

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("export.xlsx", views.proposal_export, name="export"),
    path("mine/", views.my_proposals, name="mine"),
    path("batch/", proposal_batch, name="batch"),
    path("inbox/", views.inbox, name="inbox"),
    path("pending/", views.inbox, name="staff_queue"),
    path("new/", views.proposal_create, name="create"),
    path("new/word/", word.proposal_word_import, name="word_import"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("<int:pk>/register/", views.proposal_register, name="register"),
    path("<int:pk>/decline/", views.proposal_decline, name="decline"),
    path("<int:pk>/assign/", views.proposal_assign, name="assign"),
    path("<int:pk>/key/", views.proposal_set_key, name="set_key"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/similar/dismiss/", similarity_dismiss_view, name="similarity_dismiss"),
    path("<int:pk>/merge/", proposal_merge_view, name="merge"),
    path("<int:pk>/unmerge/", proposal_unmerge_view, name="unmerge"),
    path("<int:pk>/cosign/", cosign.cosign_page, name="cosign"),
    path("<int:pk>/cosign/confirm/", cosign.cosign_confirm, name="cosign_confirm"),
    path("<int:pk>/cosign/decline/", cosign.cosign_decline, name="cosign_decline"),
    path("<int:pk>/cosign/paper/", cosign.cosign_paper, name="cosign_paper"),
    path("<int:pk>/cosign/remove/", cosign.cosign_remove, name="cosign_remove"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("assignments/<int:pk>/accept/", views.assignment_accept, name="assignment_accept"),
    path("assignments/<int:pk>/return/", views.assignment_return, name="assignment_return"),
    path("assignments/<int:pk>/reassign/", views.assignment_reassign, name="assignment_reassign"),
    path("assignments/<int:pk>/extension/", views.assignment_request_extension, name="assignment_extension"),
    path("assignments/<int:pk>/urge/", views.assignment_urge, name="assignment_urge"),
    path("extensions/<int:pk>/approve/", views.extension_approve, name="extension_approve"),
    path("extensions/<int:pk>/refuse/", views.extension_refuse, name="extension_refuse"),
    path("pickers/members/", pickers.member_picker, name="picker_members"),
    path("pickers/agencies/", pickers.agency_picker, name="picker_agencies"),
]
