"""The staff forms. Every FlaskForm carries a CSRF token; row sub-forms (criteria, dates, …) are
plain WTForms forms inside a FieldList, covered by their parent's token."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, PasswordField,
                     SelectField, SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from chatbot.programs.fields import AUDIENCES, CATEGORIES, FIELDS
from chatbot.admin.accounts import MIN_PASSWORD_LENGTH, ROLES
from chatbot.admin.documents import LANGUAGES

OPS = ("<=", ">=", "between", "==", "in", "present", "text")
ALIASES_HINT = _l("other names citizens and the report use for the program, one per line or separated by commas; "
                  "specific names only, none that another program has")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class MetadataFields:
    title = StringField(_l("Title (Korean)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=300)])
    publisher = StringField(_l("Publisher"), validators=[DataRequired(), Length(max=200)])
    edition = StringField(_l("Edition or date"), validators=[DataRequired(), Length(max=40)],
                          description=_l("e.g. 2024, 2024-07 or 2024-07-15 (a corrected schedule)"))
    edition_label = StringField(_l("Edition label shown with citations"), validators=[Optional(), Length(max=100)])
    language = SelectField(_l("Language"), choices=[(code, code) for code in LANGUAGES])


class MetadataForm(MetadataFields, FlaskForm):
    pass


class UploadForm(MetadataFields, FlaskForm):
    file = FileField(_l("File (.txt, .md, .pdf, .docx, .hwpx)"), validators=[FileRequired("Choose a file to upload.")])
    target = SelectField(_l("This file is"), choices=[("new", _l("a new document"))])
    document_id = StringField(_l("New document id"), validators=[
        Optional(), Length(max=80),
        Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message="lower-case letters, digits and single hyphens only")],
        description=_l("only for a new document, e.g. seoul-youth-notice-2024-07"))


class ClauseFields(Form):
    text = TextAreaField(_l("Quoted clause"), validators=[Optional()])
    document = SelectField(_l("Document"), choices=[], validate_choice=False)
    start = IntegerField(_l("from line"), validators=[Optional()])
    end = IntegerField(_l("to line"), validators=[Optional()])


class BenefitRow(Form):
    text_ko = StringField(_l("Benefit (Korean)"))
    text_en = StringField(_l("Benefit (English)"))
    clause = FormField(ClauseFields)
    remove = BooleanField(_l("remove"))


class CriterionRow(Form):
    field = SelectField(_l("Profile field"), choices=[("", _l("(none: words only)"))] + [(f, f) for f in FIELDS])
    op = SelectField(_l("Condition"), choices=[(op, op) for op in OPS])
    value = StringField(_l("Value"), description=_l("number, true/false, [lo, hi], a list, or the words for 'text'"))
    met_by = StringField(_l("Met by"), description=_l("'text' only: values that certainly satisfy the words: of this field, or field=value of another (is_foreign_student=true)"))
    part = StringField(_l("Part"), description=_l("the words that name the part of the program this condition is for"))
    selection = BooleanField(_l("Selection"), description=_l("'text' only: how applicants who meet the conditions are "
                                                                  "chosen (선정기준, 심사), not a condition to join"))
    alternative = StringField(_l("Either-or"), description=_l("the same name on two or more rows makes them alternatives: "
                                                                   "one met is enough (창업 3년 이내 또는 매출 20억 이하)"))
    clause = FormField(ClauseFields)
    remove = BooleanField(_l("remove"))


class ScheduleRow(Form):
    what_ko = StringField(_l("What (Korean)"))
    what_en = StringField(_l("What (English)"))
    when = StringField(_l("When"), description=_l("YYYY-MM-DD, YYYY-MM, YYYY-Q1…Q4 or start..end"))
    clause = FormField(ClauseFields)
    remove = BooleanField(_l("remove"))


class PlaceRow(Form):
    name_ko = StringField(_l("Place (Korean)"))
    name_en = StringField(_l("Place (English)"))
    clause = FormField(ClauseFields)
    remove = BooleanField(_l("remove"))


class SourceRow(Form):
    document = SelectField(_l("Document"), choices=[], validate_choice=False)
    start = IntegerField(_l("from line"), validators=[Optional()])
    end = IntegerField(_l("to line"), validators=[Optional()])
    remove = BooleanField(_l("remove"))


class NextStepsFields(Form):
    """What to do next, given by the city's staff (not from the report); all empty = none."""
    how_to_apply_ko = TextAreaField(_l("How to apply (Korean)"))
    how_to_apply_en = TextAreaField(_l("How to apply (English)"))
    office_ko = StringField(_l("Office (Korean)"))
    office_en = StringField(_l("Office (English)"))
    phone = StringField(_l("Phone"), description=_l("e.g. 02-2133-5252"))
    web = StringField(_l("Web address"), description=_l("https://…"))
    hours_ko = StringField(_l("Opening hours (Korean)"))
    hours_en = StringField(_l("Opening hours (English)"))
    provided_by = StringField(_l("Provided by"), description=_l("the office or clerk who gave these"))
    checked_on = StringField(_l("Last checked"), description=_l("YYYY-MM-DD"))


class HelpLineForm(FlaskForm):
    """The city's general help line: shown where a program has no next steps of its own."""
    steps = FormField(NextStepsFields)


class ProgramForm(FlaskForm):
    base_version = HiddenField()
    id = StringField(_l("Program id"), validators=[DataRequired(), Length(max=80)])
    name_ko = StringField(_l("Name (Korean)"), validators=[DataRequired()])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired()])
    aliases_ko = TextAreaField(_l("Aliases (Korean)"), description=ALIASES_HINT)
    aliases_en = TextAreaField(_l("Aliases (English)"), description=ALIASES_HINT)
    summary_ko = TextAreaField(_l("Summary (Korean)"), validators=[DataRequired()])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[DataRequired()])
    category = SelectField(_l("Category"), choices=[(c, c) for c in CATEGORIES])
    audience = MultiCheckboxField(_l("Audience"), choices=[(a, a) for a in AUDIENCES])
    benefits = FieldList(FormField(BenefitRow))
    eligibility = FieldList(FormField(CriterionRow))
    schedule = FieldList(FormField(ScheduleRow))
    places = FieldList(FormField(PlaceRow))
    sources = FieldList(FormField(SourceRow))
    next_steps = FormField(NextStepsFields)


class NewUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=40)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    roles = MultiCheckboxField(_l("Roles"), choices=[(r, r) for r in ROLES])


class UserUpdateForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"), choices=[(r, r) for r in ROLES])
    active = BooleanField(_l("Active"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[EqualTo("password", "The passwords differ.")])
