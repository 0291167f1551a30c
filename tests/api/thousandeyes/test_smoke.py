from __future__ import annotations

import httpx

from tests.support.orgs import TestOrg


def test_current_user_is_the_org_admin(client: httpx.Client, org: TestOrg) -> None:
    response = client.get("/users/current")
    assert response.status_code == 200
    body = response.json()
    assert body["uid"] == str(org.admin.uid)
    assert body["allAccountGroupRoles"][0]["name"] == "Organization Admin"
