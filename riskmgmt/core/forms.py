"""Form widgets every app uses: the browser's own date and time pickers, in ISO formats."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class _Needed:
    """A field a step needs but the service checks: shown without "(frivilligt)", yet an empty
    value passes the form, so a draft can be saved and a refused step answers 409 with the
    service's message naming what is missing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, required=True, **kwargs)

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


class NeededCharField(_Needed, forms.CharField):
    pass


class NeededDateField(_Needed, forms.DateField):
    pass


class NeededChoiceField(_Needed, forms.ChoiceField):
    pass


class NeededMultipleChoiceField(_Needed, forms.MultipleChoiceField):
    pass
