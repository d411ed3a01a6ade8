"""The admin's forms. Each carries its CSRF token (Flask-WTF); the rules for names,
passwords and roles are in accounts, so the command line and the admin share them."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from ..store.models import ROLES

ROLE_CHOICES = list(ROLES)


class LoginForm(FlaskForm):
    name = StringField("Name", [InputRequired("Enter your name."), Length(max=64)])
    password = PasswordField("Password", [InputRequired("Enter your password."), Length(max=256)])


class AddStaffForm(FlaskForm):
    name = StringField("Name", [InputRequired("Enter a name."), Length(max=64)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    password = PasswordField("Password", [InputRequired("Enter a first password."), Length(max=256)])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ActionForm(FlaskForm):
    """A button that changes something: only the token."""
