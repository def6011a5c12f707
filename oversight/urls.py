from django.urls import include, path

from . import views
from .backfill_views import case_backfill_view

app_name = "oversight"

urlpatterns = [
    path("oversight/", views.dashboard, name="dashboard"),
    path("work/", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("oversight/meetings/<int:meeting_id>/statistics/", views.statistics, name="statistics"),
    path("oversight/meetings/<int:meeting_id>/statistics.xlsx", views.statistics_xlsx, name="statistics_xlsx"),
    path("oversight/volumes/", views.volumes, name="volumes"),
    path("oversight/volumes/new/", views.volume_request, name="volume_request"),
    path("oversight/volumes/<int:pk>/", views.volume_detail, name="volume_detail"),
    path("oversight/volumes/<int:pk>/status/", views.volume_status, name="volume_status"),
    path("oversight/volumes/<int:pk>/download/", views.volume_download, name="volume_download"),
    path("oversight/workbook/", include("oversight.workbook.urls")),
    path("oversight/tasks/failed/", views.failed_tasks, name="failed_tasks"),
    path("oversight/backfill/", case_backfill_view, name="backfill"),
    path("oversight/replies/<int:pk>/unpublish/", views.reply_unpublish, name="reply_unpublish"),
    path("public/replies/", views.public_list, name="public_list"),
    path("public/replies/<int:pk>/", views.public_detail, name="public_detail"),
    path("public/replies/<int:pk>/pdf/", views.public_pdf, name="public_pdf"),
]
