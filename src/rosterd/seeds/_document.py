"""The seed file's format, as pydantic models: what `rosterd seed`, `serve --seed` and
`POST /_rosterd/seed` read, and the JSON Schema they publish (`seed.schema.json`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from rosterd.core.seeding import (
    Seed,
    SeedIntegration,
    SeedOrganization,
    SeedRole,
    SeedToken,
    SeedUser,
)

Text = Annotated[StrictStr, Field(min_length=1, max_length=255)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TokenDocument(_Strict):
    value: StrictStr = Field(description="The API token itself: rst_ and 8 to 200 characters.")
    name: Annotated[StrictStr, Field(max_length=255)] = ""
    permissions: list[StrictStr] = Field(
        default_factory=list,
        description='Endpoints the token is limited to ("GET /v7/users"); none: every one.',
    )


class UserDocument(_Strict):
    email: Text
    name: Text
    roles: dict[StrictStr, list[StrictStr]] = Field(
        description='Role names by account group name; "*" for roles in every account group.'
    )
    login_account_group: StrictStr | None = None
    tokens: list[TokenDocument] = Field(default_factory=list)


class RoleDocument(_Strict):
    name: Text
    permissions: list[StrictStr] = Field(
        default_factory=list, description="Permission codes, e.g. API_ACCESS, USERS_READ_ALL."
    )


class DirectoryUserDocument(_Strict):
    """A person as the directory lists them (the fields of `rosterd users import`)."""

    email: StrictStr
    name: StrictStr | None = None
    department: StrictStr = ""
    job_title: StrictStr = ""
    external_id: StrictStr | None = Field(
        default=None, description="The directory's own id for them, unique in the integration."
    )
    active: StrictBool = True
    archived: StrictBool = Field(
        default=False, description="Archived, as a full sync that no longer lists them leaves them."
    )


class IntegrationDocument(_Strict):
    name: Text
    type: StrictStr = Field(description="office365, gsuite or scim.")
    scim_token: StrictStr | None = Field(default=None, description="A scim integration's token.")
    users: list[DirectoryUserDocument] = Field(
        default_factory=list, description="The integration's directory users."
    )


class DeviceDocument(_Strict):
    """A device (the fields of `rosterd devices import`)."""

    serial_number: StrictStr
    device_id: StrictStr | None = Field(default=None, description="A UUID; none: a new one.")
    device_name: StrictStr | None = None
    model: StrictStr = ""
    platform: StrictStr = Field(
        default="Mac", description="Mac, iPad, iPhone, AppleTV, iPod or Vision."
    )
    os_version: StrictStr = ""
    asset_tag: StrictStr = ""
    mac_address: StrictStr = ""
    tags: list[StrictStr] = Field(default_factory=list)
    user_email: StrictStr | None = Field(
        default=None, description="Assigned to the user of the seed with this email."
    )


class OrganizationDocument(_Strict):
    name: Text
    subdomain: Text
    rate_limit_per_minute: StrictInt | None = None
    account_groups: list[StrictStr] = Field(
        default_factory=list,
        description="Account group names; the first is the default one (none: one named as "
        "the organization).",
    )
    roles: list[RoleDocument] = Field(default_factory=list)
    users: list[UserDocument]
    integrations: list[IntegrationDocument] = Field(default_factory=list)
    devices: list[DeviceDocument] = Field(default_factory=list)


class SeedDocument(_Strict):
    """A starting state: organizations with their account groups, roles, users and tokens,
    directory integrations with their users, and devices."""

    organizations: list[OrganizationDocument]

    def to_seed(self) -> Seed:
        return Seed(tuple(_organization(o) for o in self.organizations))


def _organization(o: OrganizationDocument) -> SeedOrganization:
    return SeedOrganization(
        name=o.name,
        subdomain=o.subdomain,
        rate_limit_per_minute=o.rate_limit_per_minute,
        account_groups=tuple(o.account_groups),
        roles=tuple(SeedRole(r.name, tuple(r.permissions)) for r in o.roles),
        users=tuple(_user(u) for u in o.users),
        integrations=tuple(_integration(i) for i in o.integrations),
        devices=tuple(d.model_dump(exclude_none=True) for d in o.devices),
    )


def _integration(i: IntegrationDocument) -> SeedIntegration:
    users = tuple(u.model_dump(exclude_none=True) for u in i.users)
    return SeedIntegration(i.name, i.type, i.scim_token, users)


def _user(u: UserDocument) -> SeedUser:
    return SeedUser(
        email=u.email,
        name=u.name,
        roles={group: tuple(names) for group, names in u.roles.items()},
        login_account_group=u.login_account_group,
        tokens=tuple(SeedToken(t.value, t.name, tuple(t.permissions)) for t in u.tokens),
    )


def seed_schema() -> dict[str, Any]:
    schema = SeedDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://rosterd.dev/seed.schema.json"
    return schema
