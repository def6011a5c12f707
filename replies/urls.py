from django.urls import path

from . import followup_views, views

app_name = "replies"

urlpatterns = [
    path("assignment/<int:assignment_id>/", views.assignment_page, name="assignment"),
    path("assignment/<int:assignment_id>/create/", views.reply_create_view, name="create"),
    path("assignment/<int:assignment_id>/follow-up/", followup_views.follow_up_page, name="follow_up"),
    path("follow-ups/", followup_views.follow_up_list, name="follow_ups"),
    path("verify/", views.verify, name="verify"),
    path("<int:pk>/", views.reply_detail, name="detail"),
    path("<int:pk>/save/", views.reply_save_view, name="save"),
    path("<int:pk>/submit/", views.reply_submit_view, name="submit"),
    path("<int:pk>/issue/", views.reply_issue_view, name="issue"),
    path("<int:pk>/return/", views.reply_return_view, name="return"),
    path("<int:pk>/versions/", views.reply_versions, name="versions"),
    path("<int:pk>/diff/", views.reply_diff, name="diff"),
    path("<int:pk>/pdf/", views.reply_pdf, name="pdf"),
    path("<int:pk>/pdf/copy/", views.reply_copy_pdf, name="copy_pdf"),
]
