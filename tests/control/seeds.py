"""Seed documents the seed tests load."""

from __future__ import annotations

ACME = """\
organizations:
  - name: Acme
    subdomain: acme-{suffix}
    account_groups: [Acme HQ, EMEA]
    roles:
      - name: Helpdesk
        permissions: [API_ACCESS, USERS_READ_ALL]
    users:
      - email: admin@acme.test
        name: Ada Admin
        roles: {{"*": [Organization Admin]}}
        tokens:
          - value: rst_test_admin_{suffix}
            name: ci
      - email: helpdesk@acme.test
        name: Hal Desk
        roles: {{EMEA: [Helpdesk]}}
        login_account_group: EMEA
        tokens:
          - value: rst_test_helpdesk_{suffix}
            permissions: ["GET /v7/users"]
    integrations:
      - name: Okta
        type: scim
        scim_token: rst_test_scim_{suffix}
"""
