"""URL paths of the registry HTTP API (openapi/registry.yaml), shared by server and client."""

from __future__ import annotations

from urllib.parse import quote

HEALTH = "/healthz"
OPENAPI = "/openapi.yaml"

# Bot endpoints (bot token); {channel}/{user_id} is the user the bot acts for.
SHOPS = "/v1/shops"
STATUS_CHANGES = "/v1/status-changes"
PUBLIC_CERTIFICATE = "/v1/certificates/{certificate_id}"
APPLICATIONS = "/v1/users/{channel}/{user_id}/applications"
APPLICATION = "/v1/users/{channel}/{user_id}/applications/{application_id}"
APPLICATION_EVIDENCE = "/v1/users/{channel}/{user_id}/applications/{application_id}/evidence"
APPLICATION_SUBMIT = "/v1/users/{channel}/{user_id}/applications/{application_id}/submit"
RENEWALS = "/v1/users/{channel}/{user_id}/renewals"
COMPLAINTS = "/v1/users/{channel}/{user_id}/complaints"
COMPLAINT = "/v1/users/{channel}/{user_id}/complaints/{complaint_id}"
EVIDENCE = "/v1/users/{channel}/{user_id}/evidence/{evidence_id}"

# Officer endpoints (officer token; X-CETS-Officer names the officer for the audit trail).
OFFICER_PREFIX = "/v1/officer/"
OFFICER_SHOPS = "/v1/officer/shops"
OFFICER_APPLICATIONS = "/v1/officer/applications"
OFFICER_APPLICATION = "/v1/officer/applications/{application_id}"
OFFICER_REVIEW = "/v1/officer/applications/{application_id}/review"
OFFICER_APPROVE = "/v1/officer/applications/{application_id}/approve"
OFFICER_REJECT = "/v1/officer/applications/{application_id}/reject"
OFFICER_REQUEST_INFORMATION = "/v1/officer/applications/{application_id}/request-information"
OFFICER_EVIDENCE = "/v1/officer/evidence/{evidence_id}"
OFFICER_COMPLAINTS = "/v1/officer/complaints"
OFFICER_COMPLAINT = "/v1/officer/complaints/{complaint_id}"
OFFICER_COMPLAINT_STATUS = "/v1/officer/complaints/{complaint_id}/status"
OFFICER_CERTIFICATE = "/v1/officer/certificates/{certificate_id}"
OFFICER_SUSPEND = "/v1/officer/certificates/{certificate_id}/suspend"
OFFICER_REINSTATE = "/v1/officer/certificates/{certificate_id}/reinstate"
OFFICER_REVOKE = "/v1/officer/certificates/{certificate_id}/revoke"
OFFICER_BLACKLIST = "/v1/officer/blacklist"
OFFICER_WARNINGS = "/v1/officer/warnings"
OFFICER_IDENTIFIERS = "/v1/officer/businesses/identifiers"
OFFICER_IMPORT = "/v1/officer/businesses/import"

IDEMPOTENCY_HEADER = "Idempotency-Key"
OFFICER_HEADER = "X-CETS-Officer"


def path(template: str, **values: object) -> str:
    """Fill a path template, percent-encoding each value as one path segment."""
    return template.format(**{k: quote(str(v), safe="") for k, v in values.items()})
