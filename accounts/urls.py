from django.urls import path

from accounts import account_views

# Sign-in, sign-out, sign-up, e-mail confirmation, passwords and two-factor authentication
# are django-allauth's (registry/urls.py includes allauth.urls after these, under /accounts/).
# My page (/accounts/me/) is the project's (registry.my_page): it shows every app's work.
urlpatterns = [
    # allauth's sign-in, answering 429 when the failed attempts are too many.
    path("login/", account_views.LoginView.as_view(), name="account_login"),
    path("account/", account_views.account, name="account"),
    path("account/token/renew/", account_views.token_renew_view, name="account-token-renew"),
    path("account/token/revoke/", account_views.token_revoke_view, name="account-token-revoke"),
]
