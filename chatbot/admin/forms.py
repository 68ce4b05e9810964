"""The staff forms. Every FlaskForm carries a CSRF token; row sub-forms (criteria, dates, …) are
plain WTForms forms inside a FieldList, covered by their parent's token."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, PasswordField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..catalog import AUDIENCES, CATEGORIES, FIELDS
from .accounts import MIN_PASSWORD_LENGTH, ROLES
from .documents import LANGUAGES

OPS = ("<=", ">=", "between", "==", "in", "present", "text")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=40)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class MetadataFields:
    title = StringField("Title (Korean)", validators=[DataRequired(), Length(max=300)])
    title_en = StringField("Title (English)", validators=[Optional(), Length(max=300)])
    publisher = StringField("Publisher", validators=[DataRequired(), Length(max=200)])
    edition = StringField("Edition or date", validators=[DataRequired(), Length(max=40)],
                          description="e.g. 2024, 2024-07 or 2024-07-15 (a corrected schedule)")
    edition_label = StringField("Edition label shown with citations", validators=[Optional(), Length(max=100)])
    language = SelectField("Language", choices=[(code, code) for code in LANGUAGES])


class MetadataForm(MetadataFields, FlaskForm):
    pass


class UploadForm(MetadataFields, FlaskForm):
    file = FileField("File (.txt, .md, .pdf, .docx, .hwpx)", validators=[FileRequired("Choose a file to upload.")])
    target = SelectField("This file is", choices=[("new", "a new document")])
    document_id = StringField("New document id", validators=[
        Optional(), Length(max=80),
        Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message="lower-case letters, digits and single hyphens only")],
        description="only for a new document, e.g. seoul-youth-notice-2024-07")


class ClauseFields(Form):
    text = TextAreaField("Quoted clause", validators=[Optional()])
    document = SelectField("Document", choices=[], validate_choice=False)
    start = IntegerField("from line", validators=[Optional()])
    end = IntegerField("to line", validators=[Optional()])


class BenefitRow(Form):
    text_ko = StringField("Benefit (Korean)")
    text_en = StringField("Benefit (English)")
    clause = FormField(ClauseFields)
    remove = BooleanField("remove")


class CriterionRow(Form):
    field = SelectField("Profile field", choices=[("", "(none: words only)")] + [(f, f) for f in FIELDS])
    op = SelectField("Condition", choices=[(op, op) for op in OPS])
    value = StringField("Value", description="number, true/false, [lo, hi], a list, or the words for 'text'")
    met_by = StringField("Met by", description="'text' only: values that certainly satisfy the words: of this field, or field=value of another (is_foreign_student=true)")
    part = StringField("Part", description="the words that name the part of the program this condition is for")
    selection = BooleanField("Selection", description="'text' only: how applicants who meet the conditions are "
                                                      "chosen (선정기준, 심사), not a condition to join")
    alternative = StringField("Either-or", description="the same name on two or more rows makes them alternatives: "
                                                       "one met is enough (창업 3년 이내 또는 매출 20억 이하)")
    clause = FormField(ClauseFields)
    remove = BooleanField("remove")


class ScheduleRow(Form):
    what_ko = StringField("What (Korean)")
    what_en = StringField("What (English)")
    when = StringField("When", description="YYYY-MM-DD, YYYY-MM, YYYY-Q1…Q4 or start..end")
    clause = FormField(ClauseFields)
    remove = BooleanField("remove")


class PlaceRow(Form):
    name_ko = StringField("Place (Korean)")
    name_en = StringField("Place (English)")
    clause = FormField(ClauseFields)
    remove = BooleanField("remove")


class SourceRow(Form):
    document = SelectField("Document", choices=[], validate_choice=False)
    start = IntegerField("from line", validators=[Optional()])
    end = IntegerField("to line", validators=[Optional()])
    remove = BooleanField("remove")


class NextStepsFields(Form):
    """What to do next, given by the city's staff (not from the report); all empty = none."""
    how_to_apply_ko = TextAreaField("How to apply (Korean)")
    how_to_apply_en = TextAreaField("How to apply (English)")
    office_ko = StringField("Office (Korean)")
    office_en = StringField("Office (English)")
    phone = StringField("Phone", description="e.g. 02-2133-5252")
    web = StringField("Web address", description="https://…")
    hours_ko = StringField("Opening hours (Korean)")
    hours_en = StringField("Opening hours (English)")
    provided_by = StringField("Provided by", description="the office or clerk who gave these")
    checked_on = StringField("Last checked", description="YYYY-MM-DD")


class HelpLineForm(FlaskForm):
    """The city's general help line: shown where a program has no next steps of its own."""
    steps = FormField(NextStepsFields)


class ProgramForm(FlaskForm):
    base_version = HiddenField()
    id = StringField("Program id", validators=[DataRequired(), Length(max=80)])
    name_ko = StringField("Name (Korean)", validators=[DataRequired()])
    name_en = StringField("Name (English)", validators=[DataRequired()])
    summary_ko = TextAreaField("Summary (Korean)", validators=[DataRequired()])
    summary_en = TextAreaField("Summary (English)", validators=[DataRequired()])
    category = SelectField("Category", choices=[(c, c) for c in CATEGORIES])
    audience = MultiCheckboxField("Audience", choices=[(a, a) for a in AUDIENCES])
    benefits = FieldList(FormField(BenefitRow))
    eligibility = FieldList(FormField(CriterionRow))
    schedule = FieldList(FormField(ScheduleRow))
    places = FieldList(FormField(PlaceRow))
    sources = FieldList(FormField(SourceRow))
    next_steps = FormField(NextStepsFields)


class NewUserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(min=2, max=40)])
    password = PasswordField("Initial password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    roles = MultiCheckboxField("Roles", choices=[(r, r) for r in ROLES])


class UserUpdateForm(FlaskForm):
    roles = MultiCheckboxField("Roles", choices=[(r, r) for r in ROLES])
    active = BooleanField("Active")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    confirm = PasswordField("Repeat the new password", validators=[EqualTo("password", "The passwords differ.")])
