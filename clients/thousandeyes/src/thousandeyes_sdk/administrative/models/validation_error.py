from __future__ import annotations

from thousandeyes_sdk.administrative.models.error import Error
from thousandeyes_sdk.administrative.models.validation_error_item import ValidationErrorItem


class ValidationError(Error):
    """The 400 problem: `errors` names each invalid field."""

    errors: list[ValidationErrorItem] | None = None
