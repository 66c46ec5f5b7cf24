"""Forms of the account pages: the account part of "Register your organisation" and the
invitation of a colleague. They check the shape of the input; the rules (unique username
and e-mail, password strength, who may invite whom) are ``accounts.services``'."""

from django import forms
from django.contrib.auth.forms import UsernameField
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.choices import MembershipRole
from accounts.models import User
from accounts.permissions import can_invite_to_municipality, can_invite_to_organisation


def password_help() -> str:
    return " ".join(str(text) for text in password_validators_help_texts())


class SignupAccountForm(forms.Form):
    """The person's account; the page's organisation part is ``OrganisationForm``."""

    prefix = "account"

    username = UsernameField(
        label=_("Username"),
        max_length=150,
        help_text=User._meta.get_field("username").help_text,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("Where we send a link if you forget your password."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=lazy(password_help, str)(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        help_text=_("The same password, to rule out a typing mistake."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    #: The service's field names that this form calls differently.
    SERVICE_TO_FORM_FIELD = {"password": "password1"}

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned

    def user_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("username", "first_name", "last_name", "email")
        }

    def add_service_errors(self, error) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field = self.SERVICE_TO_FORM_FIELD.get(name, name)
            self.add_error(field if field in self.fields else None, messages)


class InviteForm(forms.Form):
    """Invite a colleague by e-mail to one's municipality or organisation."""

    email = forms.EmailField(
        label=_("Your colleague's e-mail address"),
        help_text=_(
            "Someone new gets an e-mail with a link to choose a password; someone who already "
            "has an account gets the new role at once."
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
        """``email``, ``role`` and the municipality or organisation, for ``membership_create``."""
        return {"email": self.cleaned_data["email"], **self._targets[self.cleaned_data["target"]]}

    def add_service_errors(self, error) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error("email" if name == "email" else None, messages)
