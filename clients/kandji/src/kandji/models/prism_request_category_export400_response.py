from __future__ import annotations

from pydantic import StrictStr

from kandji.models._base import KandjiModel


class PrismRequestCategoryExport400Response(KandjiModel):
    """A Kandji error body, `{"detail": "..."}` (the generated SDK's name for it)."""

    detail: StrictStr | None = None
