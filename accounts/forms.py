"""Forms of the account pages: sign-up (on django-allauth) and the invitation of a colleague.
They check the shape of the input; the rules (who may invite whom) are ``accounts.services``';
allauth checks unique usernames and addresses and the password validators."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from accounts.choices import MembershipRole
from accounts.models import User
from accounts.permissions import can_invite_to_municipality, can_invite_to_organisation
from registry.validators import validate_single_line_text


def password_help() -> str:
    return " ".join(str(text) for text in password_validators_help_texts())


class LoginForm(AllauthLoginForm):
    """allauth's sign-in with labels instead of placeholders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or e-mail address")
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (username, e-mail, password twice) with the person's name.

    allauth creates the account and sends the confirmation link; the account cannot sign in
    until the address is confirmed (``ACCOUNT_EMAIL_VERIFICATION = "mandatory"``). Passwords
    are never rendered back after an error; everything else typed is kept.
    """

    # As the model's fields (registry.validators): allauth saves without full_clean.
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        validators=[validate_single_line_text],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        validators=[validate_single_line_text],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    # allauth's adapter copies first_name and last_name from cleaned_data to the new user.
    field_order = ["username", "email", "first_name", "last_name", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.help_text = User._meta.get_field("username").help_text
        username.widget.attrs.pop("placeholder", None)
        username.widget.attrs["autocapitalize"] = "none"
        email = self.fields["email"]
        email.label = _("E-mail address")
        email.help_text = _(
            "We send a link to this address; your account works once you have followed it."
        )
        email.widget.attrs.pop("placeholder", None)
        if "password1" in self.fields:
            # Plain text: Django's HTML list would not fit in the help paragraph.
            self.fields["password1"].help_text = password_help()
        if "password2" in self.fields:
            self.fields["password2"].label = _("Password again")
            self.fields["password2"].help_text = _(
                "The same password, to rule out a typing mistake."
            )
        for name in ("password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.attrs.pop("placeholder", None)


class InviteForm(forms.Form):
    """Invite a colleague by e-mail to one's municipality or organisation."""

    email = forms.EmailField(
        label=_("Your colleague's e-mail address"),
        help_text=_(
            "We e-mail an invitation with a link. The role takes effect only when your "
            "colleague accepts it, signed in with this address."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    target = forms.ChoiceField(label=_("Invite as"))

    def __init__(self, *args, user, municipalities=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._targets = {}
        choices = []
        for municipality in municipalities:
            if can_invite_to_municipality(user, municipality):
                key = f"municipality:{municipality.pk}"
                self._targets[key] = {
                    "role": MembershipRole.COORDINATOR,
                    "municipality": municipality,
                }
                choices.append(
                    (key, _("Volunteer coordinator of %(name)s") % {"name": municipality})
                )
        for organisation in organisations:
            if can_invite_to_organisation(user, organisation):
                key = f"organisation:{organisation.pk}"
                self._targets[key] = {
                    "role": MembershipRole.REPRESENTATIVE,
                    "organisation": organisation,
                }
                choices.append((key, _("Representative of %(name)s") % {"name": organisation}))
        self.fields["target"].choices = choices

    @property
    def has_targets(self) -> bool:
        return bool(self._targets)

    def membership_data(self) -> dict:
        """``email``, ``role`` and the municipality or organisation, for ``invitation_create``."""
        return {"email": self.cleaned_data["email"], **self._targets[self.cleaned_data["target"]]}

    def add_service_errors(self, error) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            if name == "email":
                self.add_error("email", messages)
            elif name in ("municipality", "organisation", "role"):
                self.add_error("target", messages)
            else:
                self.add_error(None, messages)
