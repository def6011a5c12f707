from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from audit import views as audit_views

from . import views

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", audit_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", audit_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("proposals/", include("proposals.urls")),
    path("replies/", include("replies.urls")),
    path("consultations/", include("consultations.urls")),
    path("audit/", include("audit.urls")),
    path("", include("oversight.urls")),
    # The admin's own password form has no wrong-password limit: its link leads to the site's page.
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="password_change"),
        name="admin_password_change",
    ),
    path("admin/", admin.site.urls),
]
