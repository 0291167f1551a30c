"""Devices: the filtered list (`GET /api/v1/devices`'s view), a device's page, and assigning a
device to a user or unassigning it (`PATCH /api/v1/devices/{device_id}`'s checks)."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Final
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from rosterd.console._base import (
    PAGE_SIZE,
    Pages,
    SignedIn,
    form_page,
    int_or_none,
    page,
    redirect,
    uuid_or_not_found,
)
from rosterd.core.audit import Actor
from rosterd.core.devices import PLATFORMS, DevicesService, DeviceUpdate
from rosterd.core.endpoints import require_endpoint
from rosterd.core.entities import EndpointPermission
from rosterd.core.errors import Invalid
from rosterd.core.ports import DeviceQuery

LIST_DEVICES: Final = EndpointPermission("/api/v1/devices", "GET")
GET_DEVICE: Final = EndpointPermission("/api/v1/devices/{device_id}", "GET")
UPDATE_DEVICE: Final = EndpointPermission("/api/v1/devices/{device_id}", "PATCH")
# The list's filters: (query parameter, label), each a `DeviceQuery` field below.
FILTERS: Final = (
    ("name", "Device name"),
    ("serial", "Serial number"),
    ("user", "User email"),
    ("model", "Model"),
    ("os", "OS version"),
    ("asset_tag", "Asset tag"),
    ("tag", "Tag"),
)
MAX_FILTER: Final = 255


class DevicePages(Pages):
    @cached_property
    def _devices(self) -> DevicesService:
        return DevicesService(self.services.store)

    @page
    async def devices(self, request: Request, signed_in: SignedIn) -> Response:
        require_endpoint(signed_in.principal, LIST_DEVICES)
        filters = _filters(request)
        params = request.query_params
        # Keyset pages in enrolment order: `after` (or `before`) a device's id, so that a page
        # costs the same at any depth. (The API pages with `offset`.)
        after, before = _device_key(params.get("after")), _device_key(params.get("before"))
        found = self._devices.list_devices(
            principal=signed_in.principal,
            query=_query(filters),
            limit=PAGE_SIZE + 1,  # one more: whether there is a page beyond
            after=after if before is None else None,
            before=before,
        )
        more = len(found) > PAGE_SIZE
        # Going back, the extra device is the one before the page's first.
        shown = found[1:] if more and before is not None else found[:PAGE_SIZE]
        kept = {k: v for k, v in filters.items() if v}

        def at(**position: int) -> str:
            return urlencode({**kept, **position})

        later = before is not None or more  # a page went back from has a page after it
        earlier = (after is not None and before is None) or (before is not None and more)
        context = signed_in.context(
            devices=shown,
            filters=filters,
            fields=FILTERS,
            platforms=PLATFORMS,
            next_page=at(after=shown[-1].device.id) if later and shown else None,
            previous_page=at(before=shown[0].device.id) if earlier and shown else None,
        )
        return self.render("devices.html", context)

    @page
    async def device(self, request: Request, signed_in: SignedIn) -> Response:
        return self._device_page(request, signed_in, {})

    @form_page
    async def assign(self, request: Request, signed_in: SignedIn, form: dict[str, str]) -> Response:
        device_id = uuid_or_not_found(request.path_params["device_id"], "device")
        require_endpoint(signed_in.principal, UPDATE_DEVICE)
        email = form.get("user_email", "").strip()
        if form.get("action") == "unassign":
            update = DeviceUpdate(user=None)
        elif not email:
            return self._device_page(
                request, signed_in, {"error": "Type the email of the user to assign.", **form}, 400
            )
        else:
            update = DeviceUpdate(user_email=email[:MAX_FILTER])
        try:
            self._devices.update_device(
                principal=signed_in.principal,
                device_id=device_id,
                update=update,
                actor=Actor.of(signed_in.principal),
            )
        except Invalid as exc:
            return self._device_page(request, signed_in, {"error": str(exc), **form}, 400)
        return redirect(f"/devices/{device_id}")

    def _device_page(
        self, request: Request, signed_in: SignedIn, form: dict[str, Any], status: int = 200
    ) -> Response:
        device_id = uuid_or_not_found(request.path_params["device_id"], "device")
        require_endpoint(signed_in.principal, GET_DEVICE)
        found = self._devices.get_device(principal=signed_in.principal, device_id=device_id)
        return self.render(
            "device.html",
            signed_in.context(
                found=found,
                form=form,
                may_update=signed_in.principal.may_call(UPDATE_DEVICE),
            ),
            status,
        )


def _device_key(value: str | None) -> int | None:
    """A page link's device id; anything else (a word, a number no id can be) is no position."""
    found = int_or_none(value)
    return found if found is not None and 0 <= found < 1 << 63 else None


def _filters(request: Request) -> dict[str, str]:
    params = request.query_params
    names = [name for name, _ in FILTERS] + ["platform"]
    return {name: params.get(name, "").strip()[:MAX_FILTER] for name in names}


def _query(filters: dict[str, str]) -> DeviceQuery:
    def given(name: str) -> str | None:
        return filters[name].replace("\x00", "") or None

    return DeviceQuery(
        device_name_contains=given("name"),
        serial_number_contains=given("serial"),
        user_email_contains=given("user"),
        model_contains=given("model"),
        os_version_contains=given("os"),
        asset_tag=given("asset_tag"),
        tag_name=given("tag"),
        platform=given("platform"),
    )
