from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("mine/", views.my_proposals, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
]
