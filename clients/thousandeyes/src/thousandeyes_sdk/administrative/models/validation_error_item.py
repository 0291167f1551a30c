from __future__ import annotations

from pydantic import Field, StrictStr
from thousandeyes_sdk.administrative.models._base import ApiModel


class ValidationErrorItem(ApiModel):
    code: StrictStr | None = Field(default=None, description="Code of the validation error.")
    var_field: StrictStr | None = Field(
        default=None, alias="field", description="The field that failed validation."
    )
    message: StrictStr | None = Field(default=None, description="What is wrong with it.")
