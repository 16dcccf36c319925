"""A step that needs a reason (a report's return, a reopen request, …) is refused without one."""

import pytest
from django.core.exceptions import ValidationError

# A reason left out: empty, only spaces, or not given at all.
blank_reasons = pytest.mark.parametrize("reason", ["", "   ", None])


def assert_needs_reason(step, **arguments) -> None:
    """`step(**arguments)`, whose `reason` is blank, raises a ValidationError on the field "reason"."""
    with pytest.raises(ValidationError) as error:
        step(**arguments)
    assert "reason" in error.value.message_dict
