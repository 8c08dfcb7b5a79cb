"""OpenAPI 3.1 document of every /api/ endpoint, built per app from the routes it registers.

Choices the issue leaves open:
- Operations are written here for every endpoint the project plans (some land in other
  branches); the document an app serves keeps only those whose route and method its url_map
  registers, so it never promises an endpoint that is not there.
- Manage API paths accept an optional `.json` suffix: the document lists the plain path once
  and says so; the v2 paths exist only with `.json` and are listed that way.
- HEAD and OPTIONS (answered by Flask and the CORS preflight) are not listed per operation.
- Response objects allow extra properties (clients ignore unknown fields, see the v2
  reference) but every documented field is required, typed, and its enum exact.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from ..components.models import ComponentStatus
from ..incidents.models import Impact, IncidentStatus
from ..maintenance.models import MaintenanceStatus
from ..subscribers.models import Channel, EventKind, Scope, SubscriberState

Json = dict[str, Any]

OPENAPI_VERSION = "3.1.0"
DOCUMENT_PATH = "/api/openapi.json"
_EXTENSION_KEY = "statuspage.openapi"
# Routes under /api/ that are fallbacks for wrong URLs, not endpoints of their own.
UNDOCUMENTED_RULES = frozenset({"/api/v2/<path:path>"})
_PARAM = re.compile(r"<(?:[^:<>]+:)?[^<>]+>|\{[^{}]+\}")
_AUTOMATIC_METHODS = frozenset({"HEAD", "OPTIONS"})

bp = Blueprint("api_docs", __name__)


# -- schema helpers ----------------------------------------------------------------------


def ref(name: str) -> Json:
    """Return a reference to the named schema under components.schemas."""
    return {"$ref": f"#/components/schemas/{name}"}


def _enum(values: Iterable[Any]) -> list[Any]:
    return [v.value if isinstance(v, Enum) else v for v in values]


def _nullable(schema: Json) -> Json:
    out = dict(schema)
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


STRING: Json = {"type": "string"}
TEXT_OR_NULL: Json = {"type": ["string", "null"]}
BOOLEAN: Json = {"type": "boolean"}
INTEGER: Json = {"type": "integer"}
TIMESTAMP: Json = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 UTC with milliseconds, e.g. 2026-11-25T04:34:56.000Z.",
}
TIMESTAMP_OR_NULL = _nullable(TIMESTAMP)
DAY_OR_NULL: Json = {"type": ["string", "null"], "format": "date"}
CACHET_TIME: Json = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
    "description": "UTC, `YYYY-MM-DD HH:MM:SS`.",
}
ANY_JSON: Json = {}


def obj(properties: Json, *, optional: Iterable[str] = (), description: str = "") -> Json:
    """Return an object schema requiring every property except the optional ones."""
    schema: Json = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in set(optional)],
    }
    if description:
        schema["description"] = description
    return schema


def array(items: Json) -> Json:
    """Return an array schema."""
    return {"type": "array", "items": items}


def _component_status() -> Json:
    return {"type": "string", "enum": _enum(ComponentStatus)}


# -- components.schemas ------------------------------------------------------------------


# Extension fields of incidents and updates asked for with ?lang= (absent otherwise).
_LANGUAGE_FIELDS: Json = {
    "language": {
        "type": "string",
        "description": "Only with ?lang=: the language tag (BCP 47) of the text shown.",
    },
    "language_fallback": {
        "type": "boolean",
        "description": "Only with ?lang=: true when the asked language has no translation of "
        "(part of) this text, which is then in the page's default language.",
    },
}
_LANG_DESCRIPTION = (
    "A page language (en, de, pt_BR, ...): incident titles and updates in it where translated, "
    "else in the page's default language. Labels stay English; unknown values are ignored."
)


def _with_language(schema: Json) -> Json:
    """Return an incident schema that may carry the ?lang= extension fields."""
    schema["properties"] = {**schema["properties"], **_LANGUAGE_FIELDS}
    return schema


def _v2_schemas() -> Json:
    component_props: Json = {
        "id": STRING,
        "name": STRING,
        "status": ref("ComponentStatus"),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "position": INTEGER,
        "description": TEXT_OR_NULL,
        "showcase": BOOLEAN,
        "start_date": DAY_OR_NULL,
        "group_id": TEXT_OR_NULL,
        "page_id": STRING,
        "group": BOOLEAN,
        "only_show_if_degraded": BOOLEAN,
        "components": {**array(STRING), "description": "Ids of a group's components."},
    }
    update_props: Json = {
        "id": STRING,
        "incident_id": STRING,
        "status": STRING,
        "body": STRING,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "display_at": TIMESTAMP,
        "affected_components": {
            "type": ["array", "null"],
            "items": ref("AffectedComponent"),
        },
        "deliver_notifications": BOOLEAN,
        "custom_tweet": {"type": "null"},
        "tweet_id": {"type": "null"},
    }

    def incident_like(status: str, update: str, scheduled: Json, impact: Json) -> Json:
        return obj(
            {
                "id": STRING,
                "name": STRING,
                "status": ref(status),
                "impact": impact,
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
                "started_at": TIMESTAMP,
                "monitoring_at": TIMESTAMP_OR_NULL,
                "resolved_at": TIMESTAMP_OR_NULL,
                "shortlink": {"type": "string", "format": "uri"},
                "page_id": STRING,
                "scheduled_for": scheduled,
                "scheduled_until": scheduled,
                "incident_updates": {**array(ref(update)), "description": "Newest first."},
                "components": {
                    **array(ref("Component")),
                    "description": "The affected components as they are now.",
                },
            }
        )

    return {
        "ComponentStatus": _component_status(),
        "IncidentStatus": {"type": "string", "enum": _enum(IncidentStatus)},
        "MaintenanceStatus": {"type": "string", "enum": _enum(MaintenanceStatus)},
        "Impact": {"type": "string", "enum": _enum(Impact)},
        "Page": obj(
            {
                "id": STRING,
                "name": STRING,
                "url": STRING,
                "time_zone": {**STRING, "description": "IANA time zone name."},
                "updated_at": TIMESTAMP,
            }
        ),
        "Status": obj(
            {
                "indicator": ref("Impact"),
                "description": {**STRING, "description": "The English headline."},
            }
        ),
        "Component": obj(
            component_props,
            optional=["components"],
            description="A component, or a group (`group: true`) listing its children's ids.",
        ),
        "AffectedComponent": obj(
            {
                "code": {**STRING, "description": "The component id."},
                "name": STRING,
                "old_status": ref("ComponentStatus"),
                "new_status": ref("ComponentStatus"),
            }
        ),
        "IncidentUpdate": obj(
            {**update_props, "status": ref("IncidentStatus"), **_LANGUAGE_FIELDS},
            optional=list(_LANGUAGE_FIELDS),
        ),
        "MaintenanceUpdate": obj(
            {**update_props, "status": ref("MaintenanceStatus")},
        ),
        "Incident": _with_language(
            incident_like("IncidentStatus", "IncidentUpdate", {"type": "null"}, ref("Impact"))
        ),
        "ScheduledMaintenance": incident_like(
            "MaintenanceStatus",
            "MaintenanceUpdate",
            TIMESTAMP,
            {"type": "string", "enum": [Impact.MAINTENANCE.value]},
        ),
        "Summary": obj(
            {
                "page": ref("Page"),
                "status": ref("Status"),
                "components": array(ref("Component")),
                "incidents": array(ref("Incident")),
                "scheduled_maintenances": array(ref("ScheduledMaintenance")),
            }
        ),
        "StatusResponse": obj({"page": ref("Page"), "status": ref("Status")}),
        "ComponentsResponse": obj({"page": ref("Page"), "components": array(ref("Component"))}),
        "IncidentsResponse": obj({"page": ref("Page"), "incidents": array(ref("Incident"))}),
        "IncidentResponse": obj({"page": ref("Page"), "incident": ref("Incident")}),
        "ScheduledMaintenancesResponse": obj(
            {"page": ref("Page"), "scheduled_maintenances": array(ref("ScheduledMaintenance"))}
        ),
        "Error": obj(
            {"error": {**STRING, "description": "What went wrong, for a person to read."}}
        ),
    }


def _manage_schemas(v2: Json) -> Json:
    component = v2["Component"]
    incident = v2["Incident"]
    maintenance = v2["ScheduledMaintenance"]
    incident_extra: Json = {
        "metadata": {"type": "object", "description": "Free JSON the automation attached."},
        "impact_override": {"type": ["string", "null"], "enum": [*_enum(Impact), None]},
        "backfilled": BOOLEAN,
        "hidden": BOOLEAN,
    }
    maintenance_extra: Json = {
        **incident_extra,
        "scheduled_remind_prior": BOOLEAN,
        "scheduled_auto_in_progress": BOOLEAN,
        "scheduled_auto_completed": BOOLEAN,
        "auto_transition_to_maintenance_state": BOOLEAN,
        "auto_transition_to_operational_state": BOOLEAN,
        "auto_transition_deliver_notifications_at_start": BOOLEAN,
        "auto_transition_deliver_notifications_at_end": BOOLEAN,
        "cancelled_at": {
            **TIMESTAMP_OR_NULL,
            "description": "When the window was cancelled (its status then stays completed).",
        },
    }
    group_props = {
        **component["properties"],
        "group": {"type": "boolean", "enum": [True]},
        "components": {**array(STRING), "description": "Ids of the group's components."},
        "visible": BOOLEAN,
        "collapsed": BOOLEAN,
    }
    channel: Json = {"type": "string", "enum": _enum(Channel)}
    subscriber_props: Json = {
        "id": STRING,
        "mode": channel,
        "type": channel,
        "email": TEXT_OR_NULL,
        "endpoint": {
            **TEXT_OR_NULL,
            "description": "The URL of a webhook or chat subscriber (apprise: scheme only).",
        },
        "phone_number": TEXT_OR_NULL,
        "phone_country": TEXT_OR_NULL,
        "display_phone_number": TEXT_OR_NULL,
        "components": {
            **array(STRING),
            "description": "Ids of every component the subscriber hears about.",
        },
        "component_groups": array(STRING),
        "scope": {"type": "string", "enum": _enum(Scope)},
        "incident_id": TEXT_OR_NULL,
        "events": array({"type": "string", "enum": _enum(EventKind)}),
        "state": {"type": "string", "enum": _enum(SubscriberState)},
        "language": TEXT_OR_NULL,
        "skip_confirmation_notification": BOOLEAN,
        "confirmed_at": TIMESTAMP_OR_NULL,
        "quarantined_at": TIMESTAMP_OR_NULL,
        "unsubscribed_at": TIMESTAMP_OR_NULL,
        "purge_at": TIMESTAMP_OR_NULL,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "webhook_secret": {
            **STRING,
            "description": "Only in the answer that creates a webhook subscriber.",
        },
    }
    template_status: Json = {
        "type": "string",
        "enum": [*_enum(IncidentStatus), *_enum(MaintenanceStatus)],
        "description": "An incident status (incident template) or a maintenance status.",
    }
    return {
        "ManageComponent": obj(
            {
                **component["properties"],
                "group": {"type": "boolean", "enum": [False]},
                "visible": BOOLEAN,
            },
            optional=["components"],
            description="A component as the public API shows it, plus `visible`.",
        ),
        "ManageComponentGroup": obj(
            group_props, description="A component group, plus `visible` and `collapsed`."
        ),
        "ManageIncident": obj(
            {**incident["properties"], **incident_extra},
            optional=list(_LANGUAGE_FIELDS),
            description="An incident as the public API shows it, plus admin-only fields.",
        ),
        "ManageMaintenance": obj(
            {**maintenance["properties"], **maintenance_extra},
            description="A scheduled maintenance: an incident object with its window set.",
        ),
        "ManageIncidentOrMaintenance": {
            "anyOf": [ref("ManageIncident"), ref("ManageMaintenance")],
        },
        "ValidationError": obj(
            {
                "error": STRING,
                "errors": {
                    "type": "object",
                    "additionalProperties": STRING,
                    "description": "A message per offending field.",
                },
            }
        ),
        "Subscriber": obj(subscriber_props, optional=["webhook_secret"]),
        "SubscriberBulkResult": obj(
            {
                "count": {**INTEGER, "description": "How many subscribers changed."},
                "subscribers": {**array(STRING), "description": "The ids that changed."},
            }
        ),
        "IncidentTemplate": obj(
            {
                "id": STRING,
                "components": array(ref("ManageComponent")),
                "name": STRING,
                "title": STRING,
                "body": STRING,
                "group_id": {"type": "null"},
                "update_status": template_status,
                "should_tweet": {"type": "boolean", "enum": [False]},
                "should_send_notifications": BOOLEAN,
                "component_status": {
                    **_nullable(_component_status()),
                    "description": "The status the template sets on its components (ours).",
                },
            }
        ),
        "Postmortem": obj(
            {
                "preview_key": {"type": "null"},
                "body": {**TEXT_OR_NULL, "description": "The published text, else null."},
                "body_draft": TEXT_OR_NULL,
                "body_updated_at": TIMESTAMP_OR_NULL,
                "published_at": TIMESTAMP_OR_NULL,
                "notify_subscribers": BOOLEAN,
                "notify_twitter": {"type": "boolean", "enum": [False]},
                "custom_tweet": {"type": "null"},
            },
            description="An incident's postmortem (null fields when it has none).",
        ),
        "Uptime": obj(
            {
                "id": STRING,
                "name": STRING,
                "range_start": {"type": "string", "format": "date"},
                "range_end": {"type": "string", "format": "date"},
                "uptime_percentage": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
                "major_outage": {**INTEGER, "minimum": 0, "description": "Seconds."},
                "partial_outage": {**INTEGER, "minimum": 0, "description": "Seconds."},
                "warnings": array(STRING),
                "related_events": array(obj({"id": STRING, "name": STRING})),
            }
        ),
        "SubscriberCount": obj({"count": {**INTEGER, "minimum": 0}}),
    }


def _cachet_schemas() -> Json:
    component: Json = {
        "id": STRING,
        "name": STRING,
        "description": STRING,
        "link": {"type": ["string", "null"]},
        "status": {
            "type": "integer",
            "enum": [0, 1, 2, 3, 4],
            "description": "0 unknown or under maintenance, 1 operational, 2 performance "
            "issues, 3 partial outage, 4 major outage.",
        },
        "status_name": STRING,
        "order": INTEGER,
        "group_id": TEXT_OR_NULL,
        "enabled": BOOLEAN,
        "created_at": CACHET_TIME,
        "updated_at": CACHET_TIME,
    }
    incident_status = {
        "type": "integer",
        "enum": [1, 2, 3, 4],
        "description": "1 investigating, 2 identified, 3 watching, 4 fixed.",
    }
    update: Json = {
        "id": STRING,
        "incident_id": STRING,
        "status": incident_status,
        "human_status": STRING,
        "message": STRING,
        "user_id": {"type": "null"},
        "created_at": CACHET_TIME,
        "updated_at": CACHET_TIME,
        "permalink": STRING,
    }
    link = {"type": ["string", "null"]}
    return {
        "CachetComponent": obj(component),
        "CachetComponentGroup": obj(
            {
                "id": STRING,
                "name": STRING,
                "order": INTEGER,
                "collapsed": {"type": "integer", "enum": [0, 1]},
                "visible": {"type": "integer", "enum": [0, 1]},
                "created_at": CACHET_TIME,
                "updated_at": CACHET_TIME,
                "enabled_components": array(ref("CachetComponent")),
            }
        ),
        "CachetIncidentUpdate": obj(update),
        "CachetIncident": obj(
            {
                "id": STRING,
                "component_id": TEXT_OR_NULL,
                "name": STRING,
                "status": incident_status,
                "human_status": STRING,
                "message": STRING,
                "visible": {"type": "integer", "enum": [0, 1]},
                "occurred_at": CACHET_TIME,
                "created_at": CACHET_TIME,
                "updated_at": CACHET_TIME,
                "is_resolved": BOOLEAN,
                "updates": {**array(ref("CachetIncidentUpdate")), "description": "Oldest first."},
                "permalink": STRING,
            }
        ),
        "CachetSchedule": obj(
            {
                "id": STRING,
                "name": STRING,
                "message": STRING,
                "status": {
                    "type": "integer",
                    "enum": [0, 1, 2],
                    "description": "0 upcoming, 1 in progress, 2 complete.",
                },
                "human_status": STRING,
                "scheduled_at": CACHET_TIME,
                "completed_at": _nullable(CACHET_TIME),
                "created_at": CACHET_TIME,
                "updated_at": CACHET_TIME,
                "components": array(ref("CachetComponent")),
            }
        ),
        "CachetSubscriber": obj(
            {
                "id": STRING,
                "email": STRING,
                "verify_code": {"type": "null", "description": "Never disclosed."},
                "verified_at": _nullable(CACHET_TIME),
                "global": {**BOOLEAN, "description": "Follows every component."},
                "created_at": CACHET_TIME,
                "updated_at": CACHET_TIME,
                "subscriptions": {**array(STRING), "description": "Chosen component ids."},
            }
        ),
        "CachetPagination": obj(
            {
                "pagination": obj(
                    {
                        "total": INTEGER,
                        "count": INTEGER,
                        "per_page": INTEGER,
                        "current_page": INTEGER,
                        "total_pages": INTEGER,
                        "links": obj({"next_page": link, "previous_page": link}),
                    }
                )
            }
        ),
        "CachetError": obj(
            {
                "errors": array(
                    obj(
                        {
                            "id": STRING,
                            "status": INTEGER,
                            "title": STRING,
                            "detail": {**STRING, "description": "What went wrong, to read."},
                        }
                    )
                )
            }
        ),
    }


def schemas() -> Json:
    """Return every reusable schema of the document."""
    v2 = _v2_schemas()
    return {**v2, **_manage_schemas(v2), **_cachet_schemas()}


# -- operations --------------------------------------------------------------------------


@dataclass
class Operation:
    """One documented method on one path (OpenAPI path template, `{name}` parameters)."""

    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    responses: Json
    parameters: list[Json] = field(default_factory=list)
    request_body: Json | None = None
    security: list[Json] | None = None

    def as_json(self) -> Json:
        """Return the OpenAPI operation object."""
        op: Json = {
            "operationId": self.operation_id,
            "summary": self.summary,
            "tags": [self.tag],
            "responses": self.responses,
        }
        if self.parameters:
            op["parameters"] = self.parameters
        if self.request_body is not None:
            op["requestBody"] = self.request_body
        if self.security is not None:
            op["security"] = self.security
        return op


def _json_content(schema: Json) -> Json:
    return {"application/json": {"schema": schema}}


def reply(description: str, schema: Json | None = None, headers: Json | None = None) -> Json:
    """Return a response object (JSON body when a schema is given)."""
    out: Json = {"description": description}
    if schema is not None:
        out["content"] = _json_content(schema)
    if headers:
        out["headers"] = headers
    return out


def path_param(name: str, description: str) -> Json:
    """Return a required string path parameter."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1},
    }


def query_param(name: str, schema: Json, description: str) -> Json:
    """Return an optional query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}}
_ETAG = {"ETag": {"description": "Send it back in If-None-Match.", "schema": STRING}}

# -- v2 ------------------------------------------------------------------------------------


def _v2_operations() -> list[Operation]:
    def get(
        path: str, op_id: str, summary: str, schema: str, *extra: Json, lang: bool = False
    ) -> Operation:
        responses: Json = {
            "200": reply("OK", ref(schema), _ETAG),
            "304": reply("Not modified since the ETag sent in If-None-Match."),
        }
        params: list[Json] = [query_param("lang", STRING, _LANG_DESCRIPTION)] if lang else []
        if "{" in path:
            params.append(path_param("incident_id", "An incident id."))
            responses["404"] = reply("No such incident.", ref("Error"))
        for item in extra:
            responses.update(item)
        return Operation(
            "get", "/api/v2" + path, op_id, summary, "Public API v2", responses, params, None, []
        )

    subscriber_fields = {
        "type": {
            "type": "string",
            "enum": ["email", "sms", "webhook", "slack", "teams", "discord", "googlechat"],
        },
        "email": STRING,
        "endpoint": STRING,
        "phone_number": STRING,
        "phone_country": STRING,
        "component_ids": array(STRING),
        "components": array(STRING),
        "component_id": STRING,
        "component_group_ids": array(STRING),
        "incident_id": STRING,
        "events": array(
            {
                "type": "string",
                "enum": ["incidents", "maintenance", "component_status", "postmortems"],
            }
        ),
        "language": STRING,
    }
    subscriber_body = {
        "required": True,
        "content": _json_content(
            obj({"subscriber": obj(subscriber_fields, optional=list(subscriber_fields))})
        ),
    }
    subscribe_answer = obj(
        {
            "status": {
                "type": "string",
                "enum": ["confirmation_sent", "active"],
                "description": "Depends only on the channel, never on whether it existed.",
            },
            "message": STRING,
            "webhook_secret": {
                **STRING,
                "description": "Webhooks: the HMAC key, real only if the endpoint was new.",
            },
        },
        optional=["webhook_secret"],
    )
    v2_errors = {
        "400": reply("Malformed JSON.", ref("Error")),
        "413": reply("Body over 1 MiB.", ref("Error")),
        "415": reply("Body is not JSON.", ref("Error")),
        "422": reply("A field is missing or wrong.", ref("Error")),
        "429": reply("Too many requests.", ref("Error"), _RETRY_AFTER),
    }
    return [
        get(
            "/summary.json",
            "v2_summary",
            "Page, status, components, open incidents and live or upcoming maintenance",
            "Summary",
            lang=True,
        ),
        get("/status.json", "v2_status", "Page and its status indicator", "StatusResponse"),
        get(
            "/components.json",
            "v2_components",
            "Every visible component and group",
            "ComponentsResponse",
        ),
        get(
            "/incidents.json",
            "v2_incidents",
            "The 50 most recent incidents",
            "IncidentsResponse",
            lang=True,
        ),
        get(
            "/incidents/unresolved.json",
            "v2_incidents_unresolved",
            "Unresolved incidents",
            "IncidentsResponse",
            lang=True,
        ),
        get(
            "/incidents/{incident_id}.json",
            "v2_incident",
            "One incident",
            "IncidentResponse",
            lang=True,
        ),
        get(
            "/scheduled-maintenances.json",
            "v2_maintenances",
            "The 50 most recent scheduled maintenances",
            "ScheduledMaintenancesResponse",
        ),
        get(
            "/scheduled-maintenances/upcoming.json",
            "v2_maintenances_upcoming",
            "Maintenances still scheduled",
            "ScheduledMaintenancesResponse",
        ),
        get(
            "/scheduled-maintenances/active.json",
            "v2_maintenances_active",
            "Maintenances in progress or verifying",
            "ScheduledMaintenancesResponse",
        ),
        Operation(
            "post",
            "/api/v2/subscribers.json",
            "v2_subscribe",
            "Subscribe to updates",
            "Public API v2",
            {
                "202": reply(
                    "Accepted: the same answer whether or not the address was subscribed.",
                    subscribe_answer,
                ),
                **v2_errors,
            },
            request_body=subscriber_body,
            security=[],
        ),
        Operation(
            "delete",
            "/api/v2/subscribers/{subscriber_id}.json",
            "v2_unsubscribe",
            "Unsubscribe (with the subscriber's own token)",
            "Public API v2",
            {
                "200": reply("Unsubscribed.", ANY_JSON),
                "204": reply("Unsubscribed."),
                "401": reply("Missing or wrong subscriber token.", ref("Error")),
                "403": reply("Not this subscriber's token.", ref("Error")),
                "404": reply("No such subscriber.", ref("Error")),
                "429": v2_errors["429"],
            },
            [path_param("subscriber_id", "A subscriber id.")],
            security=[],
        ),
    ]


# -- Manage API v1 -------------------------------------------------------------------------

_MANAGE_SECURITY: list[Json] = [{"OAuth": []}, {"Bearer": []}, {"ApiKeyQuery": []}]
_PAGE_ID = path_param("page_id", "This deployment's page id (GET /api/v1/pages lists it).")
_PAGING = [
    query_param("page", {"type": "integer", "minimum": 1}, "Page number, from 1."),
    query_param(
        "per_page",
        {"type": "integer", "minimum": 1, "maximum": 100},
        "Items per page (at most 100, the default).",
    ),
]
_SEARCH = [
    query_param("limit", {"type": "integer", "minimum": 1}, "At most this many."),
    query_param("q", STRING, "Only incidents whose name contains this text."),
]
_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A retried POST with the same key answers the first result again.",
    "schema": {"type": "string", "maxLength": 255},
}


def _manage_errors(*, body: bool, lookup: bool, idempotent: bool = False) -> Json:
    errors: Json = {
        "401": reply("No API key, or an unknown or revoked one.", ref("Error")),
        "403": reply("The key's user may not do this.", ref("Error")),
        "404": reply("Wrong page id" + (" or unknown id." if lookup else "."), ref("Error")),
        "422": reply("A field or parameter is wrong; `errors` names it.", ref("ValidationError")),
        "429": reply("Too many requests for this key.", ref("Error"), _RETRY_AFTER),
    }
    if body:
        errors["400"] = reply(
            "The body is not valid JSON or not wrapped as documented.", ref("Error")
        )
        errors["413"] = reply("The body is over 1 MiB.", ref("Error"))
        errors["415"] = reply("The body is neither JSON nor form-encoded.", ref("Error"))
    if idempotent:
        errors["409"] = reply("Idempotency-Key reused with a different body.", ref("Error"))
    return errors


def _form_schema(resource: str, fields: Json) -> Json:
    props: Json = {}
    for name, schema in fields.items():
        kind = schema.get("type")
        if kind == "array":
            props[f"{resource}[{name}][]"] = array(STRING)
        elif kind == "object":
            continue
        else:
            props[f"{resource}[{name}]"] = STRING
    return {"type": "object", "properties": props}


def wrapped_body(resource: str, fields: Json, required: Iterable[str] = ()) -> Json:
    """Return a request body `{resource: {fields}}` as JSON, or `resource[field]=` as a form."""
    inner: Json = {"type": "object", "properties": fields}
    needed = list(required)
    if needed:
        inner["required"] = needed
    return {
        "required": True,
        "description": f"Fields wrapped in `{resource}`; form-encoded "
        f"`{resource}[name]=...` is accepted too.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {resource: inner},
                    "required": [resource],
                }
            },
            "application/x-www-form-urlencoded": {"schema": _form_schema(resource, fields)},
        },
    }


_COMPONENT_FIELDS: Json = {
    "name": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": TEXT_OR_NULL,
    "status": ref("ComponentStatus"),
    "group_id": TEXT_OR_NULL,
    "showcase": BOOLEAN,
    "start_date": DAY_OR_NULL,
    "only_show_if_degraded": BOOLEAN,
    "position": {"type": "integer", "minimum": 0},
}
_GROUP_FIELDS: Json = {
    "name": {"type": "string", "minLength": 1, "maxLength": 255},
    "components": array(STRING),
    "description": TEXT_OR_NULL,
    "position": {"type": "integer", "minimum": 0},
}
_INCIDENT_FIELDS: Json = {
    "name": {"type": "string", "minLength": 1, "maxLength": 255},
    "status": {
        "type": "string",
        "enum": [*_enum(IncidentStatus), *_enum(MaintenanceStatus)],
        "description": "An incident status, or a maintenance status for a maintenance.",
    },
    "body": STRING,
    "impact_override": ref("Impact"),
    "components": {
        "type": "object",
        "additionalProperties": ref("ComponentStatus"),
        "description": "Component id -> new status.",
    },
    "component_ids": array(STRING),
    "deliver_notifications": BOOLEAN,
    "metadata": {"type": "object"},
    "backfilled": BOOLEAN,
    "backfill_date": TIMESTAMP,
    "scheduled_for": TIMESTAMP,
    "scheduled_until": TIMESTAMP,
    "scheduled_remind_prior": BOOLEAN,
    "scheduled_auto_in_progress": BOOLEAN,
    "scheduled_auto_completed": BOOLEAN,
    "auto_transition_to_maintenance_state": BOOLEAN,
    "auto_transition_to_operational_state": BOOLEAN,
    "auto_transition_deliver_notifications_at_start": BOOLEAN,
    "auto_transition_deliver_notifications_at_end": BOOLEAN,
}
_UPDATE_FIELDS: Json = {
    "body": STRING,
    "display_at": TIMESTAMP,
    "deliver_notifications": BOOLEAN,
}
_SUBSCRIBER_UPDATE_FIELDS: Json = {
    "component_ids": {**array(STRING), "description": "Follow only these components."},
    "components": {**array(STRING), "description": "Same as component_ids."},
    "component_group_ids": array(STRING),
    "events": array({"type": "string", "enum": _enum(EventKind)}),
    "language": TEXT_OR_NULL,
}
_SUBSCRIBER_FIELDS: Json = {
    "type": {
        "type": "string",
        "enum": _enum(Channel),
        "description": "Inferred from email / phone_number / endpoint when not sent.",
    },
    "mode": {"type": "string", "enum": _enum(Channel), "description": "Same as type."},
    "email": STRING,
    "endpoint": STRING,
    "phone_number": STRING,
    "phone_country": STRING,
    "skip_confirmation_notification": BOOLEAN,
    **_SUBSCRIBER_UPDATE_FIELDS,
}
_TEMPLATE_FIELDS: Json = {
    "name": STRING,
    "title": STRING,
    "body": STRING,
    "update_status": {
        "type": "string",
        "enum": [*_enum(IncidentStatus), *_enum(MaintenanceStatus)],
        "description": "An incident status makes an incident template, a maintenance status "
        "a maintenance template; a template cannot switch kind.",
    },
    "should_send_notifications": BOOLEAN,
    "should_tweet": {**BOOLEAN, "description": "Accepted and ignored."},
    "component_ids": array(STRING),
    "component_status": ref("ComponentStatus"),
    "group_id": {"type": ["string", "null"], "description": "Must be empty: no groups here."},
}
_POSTMORTEM_PUBLISH_FIELDS: Json = {
    "body_draft": STRING,
    "notify_subscribers": BOOLEAN,
    "notify_twitter": {**BOOLEAN, "description": "Accepted and ignored."},
    "custom_tweet": {**TEXT_OR_NULL, "description": "Accepted and ignored."},
}


def _manage_operations() -> list[Operation]:
    base = "/api/v1/pages/{page_id}"
    tag = "Manage API v1"
    ops: list[Operation] = []

    def add(
        method: str,
        path: str,
        op_id: str,
        summary: str,
        ok: Json,
        *,
        ids: Iterable[tuple[str, str]] = (),
        body: Json | None = None,
        query: Iterable[Json] = (),
        status: str = "200",
        idempotent: bool | None = None,
        extra: Json | None = None,
    ) -> None:
        ids = list(ids)
        params = [_PAGE_ID, *(path_param(n, d) for n, d in ids), *query]
        if idempotent is None:
            idempotent = method == "post" and status == "201"
        if idempotent:
            params.append(_IDEMPOTENCY)
        words = {"200": "OK", "201": "Created.", "202": "Done; the ids changed are listed."}
        responses = {
            status: reply(words.get(status, "OK"), ok),
            **_manage_errors(body=body is not None, lookup=bool(ids), idempotent=idempotent),
            **(extra or {}),
        }
        ops.append(
            Operation(
                method,
                base + path,
                "manage_" + op_id,
                summary,
                tag,
                responses,
                params,
                body,
                _MANAGE_SECURITY,
            )
        )

    comp = [("component_id", "A component id.")]
    group = [("group_id", "A component group id.")]
    inc = [("incident_id", "An incident (or scheduled maintenance) id.")]
    sub = [("subscriber_id", "A subscriber id.")]
    component_body = wrapped_body("component", _COMPONENT_FIELDS)
    group_body = wrapped_body("component_group", _GROUP_FIELDS)
    incident_body = wrapped_body("incident", _INCIDENT_FIELDS)

    ops.append(
        Operation(
            "get",
            "/api/v1/pages",
            "manage_list_pages",
            "List the page this deployment serves",
            tag,
            {
                "200": reply("OK", array(ref("Page"))),
                "401": reply("No API key, or an unknown or revoked one.", ref("Error")),
                "403": reply("The key's user may not do this.", ref("Error")),
                "429": reply("Too many requests for this key.", ref("Error"), _RETRY_AFTER),
            },
            security=_MANAGE_SECURITY,
        )
    )
    add("get", "", "get_page", "Return the page", ref("Page"))
    add(
        "get",
        "/components",
        "list_components",
        "List components",
        array(ref("ManageComponent")),
        query=_PAGING,
    )
    add(
        "post",
        "/components",
        "create_component",
        "Create a component",
        ref("ManageComponent"),
        body=component_body,
        status="201",
    )
    add(
        "get",
        "/components/{component_id}",
        "get_component",
        "Return a component",
        ref("ManageComponent"),
        ids=comp,
    )
    add(
        "patch",
        "/components/{component_id}",
        "patch_component",
        "Change the fields sent",
        ref("ManageComponent"),
        ids=comp,
        body=component_body,
    )
    add(
        "put",
        "/components/{component_id}",
        "put_component",
        "Replace a component (unsent fields back to defaults)",
        ref("ManageComponent"),
        ids=comp,
        body=component_body,
    )
    add(
        "delete",
        "/components/{component_id}",
        "delete_component",
        "Delete a component; answers it as it was",
        ref("ManageComponent"),
        ids=comp,
    )
    add(
        "get",
        "/components/{component_id}/uptime",
        "component_uptime",
        "Uptime of a component",
        ref("Uptime"),
        ids=comp,
        query=_UPTIME_RANGE,
    )
    add(
        "get",
        "/component-groups",
        "list_groups",
        "List component groups",
        array(ref("ManageComponentGroup")),
        query=_PAGING,
    )
    add(
        "post",
        "/component-groups",
        "create_group",
        "Create a component group",
        ref("ManageComponentGroup"),
        body=group_body,
        status="201",
    )
    add(
        "get",
        "/component-groups/{group_id}",
        "get_group",
        "Return a group",
        ref("ManageComponentGroup"),
        ids=group,
    )
    add(
        "patch",
        "/component-groups/{group_id}",
        "patch_group",
        "Change the fields sent",
        ref("ManageComponentGroup"),
        ids=group,
        body=group_body,
    )
    add(
        "put",
        "/component-groups/{group_id}",
        "put_group",
        "Replace a group",
        ref("ManageComponentGroup"),
        ids=group,
        body=group_body,
    )
    add(
        "delete",
        "/component-groups/{group_id}",
        "delete_group",
        "Delete a group (its components stay)",
        ref("ManageComponentGroup"),
        ids=group,
    )
    add(
        "get",
        "/component-groups/{group_id}/uptime",
        "group_uptime",
        "Uptime of a component group",
        ref("Uptime"),
        ids=group,
        query=_UPTIME_RANGE,
    )

    add(
        "get",
        "/incidents",
        "list_incidents",
        "List incidents, newest first",
        array(ref("ManageIncident")),
        query=[*_PAGING, *_SEARCH],
    )
    add(
        "post",
        "/incidents",
        "create_incident",
        "Open an incident, backfill one, or schedule maintenance (with scheduled_for)",
        ref("ManageIncidentOrMaintenance"),
        body=incident_body,
        status="201",
    )
    add(
        "get",
        "/incidents/unresolved",
        "list_unresolved",
        "Unresolved incidents",
        array(ref("ManageIncident")),
        query=[*_PAGING, *_SEARCH],
    )
    for name, summary in (
        ("upcoming", "Maintenance not yet begun"),
        ("scheduled", "Maintenance not yet started"),
        ("active_maintenance", "Maintenance in progress or verifying"),
    ):
        add(
            "get",
            f"/incidents/{name}",
            f"list_{name}",
            summary,
            array(ref("ManageMaintenance")),
            query=_PAGING,
        )
    add(
        "get",
        "/incidents/{incident_id}",
        "get_incident",
        "Return an incident or maintenance",
        ref("ManageIncidentOrMaintenance"),
        ids=inc,
    )
    add(
        "patch",
        "/incidents/{incident_id}",
        "patch_incident",
        "Change an incident; a new status or body posts an update",
        ref("ManageIncidentOrMaintenance"),
        ids=inc,
        body=incident_body,
    )
    add(
        "put",
        "/incidents/{incident_id}",
        "put_incident",
        "Same as PATCH",
        ref("ManageIncidentOrMaintenance"),
        ids=inc,
        body=incident_body,
    )
    cancel_body = {
        **wrapped_body(
            "incident",
            {
                "body": {**STRING, "description": "Words of a maintenance's final update."},
                "deliver_notifications": BOOLEAN,
            },
        ),
        "required": False,
    }
    add(
        "delete",
        "/incidents/{incident_id}",
        "delete_incident",
        "Delete an incident (answers it as it was), or cancel a scheduled maintenance "
        "(answers it as it now is: completed, with cancelled_at)",
        ref("ManageIncidentOrMaintenance"),
        ids=inc,
        body=cancel_body,
    )
    upd = [*inc, ("update_id", "An incident update id.")]
    update_body = wrapped_body("incident_update", _UPDATE_FIELDS)
    for method in ("patch", "put"):
        add(
            method,
            "/incidents/{incident_id}/incident_updates/{update_id}",
            f"{method}_incident_update",
            "Correct a posted update",
            ref("ManageIncident"),
            ids=upd,
            body=update_body,
        )

    # P1: subscribers, incident templates, postmortems.
    subscriber_body = wrapped_body("subscriber", _SUBSCRIBER_FIELDS)
    subscriber_filters = [
        query_param(
            "type", {"type": "string", "enum": _enum(Channel)}, "Only subscribers of this type."
        ),
        query_param(
            "state",
            {"type": "string", "enum": [*_enum(SubscriberState), "all"]},
            "Only this state (active by default; `all` for every state).",
        ),
        query_param("q", STRING, "Only subscribers whose address contains this text."),
    ]
    subscriber_list_query = [
        *_PAGING,
        query_param("limit", {"type": "integer", "minimum": 1}, "At most this many."),
        *subscriber_filters,
    ]
    existing = {"200": reply("Already subscribed: the choices sent replace its own.", None)}
    add(
        "get",
        "/subscribers",
        "list_subscribers",
        "List subscribers, newest first",
        array(ref("Subscriber")),
        query=subscriber_list_query,
    )
    add(
        "post",
        "/subscribers",
        "create_subscriber",
        "Subscribe an email, phone number or endpoint",
        ref("Subscriber"),
        body=subscriber_body,
        status="201",
        extra={"200": {**existing["200"], "content": _json_content(ref("Subscriber"))}},
    )
    add(
        "get",
        "/subscribers/count",
        "count_subscribers",
        "Count subscribers",
        ref("SubscriberCount"),
        query=subscriber_filters,
    )
    bulk_body = {
        "required": True,
        "description": 'Either `{"subscribers": [ids]}` or `{"subscribers": "all"}` with '
        "optional `type` and `state`; form-encoded `subscribers[]=id` is accepted too.",
        "content": {
            "application/json": {
                "schema": obj(
                    {
                        "subscribers": {
                            "anyOf": [
                                {**array(STRING), "minItems": 1},
                                {"type": "string", "enum": ["all"]},
                            ]
                        },
                        "type": {"type": "string", "enum": _enum(Channel)},
                        "state": {"type": "string", "enum": [*_enum(SubscriberState), "all"]},
                    },
                    optional=["type", "state"],
                )
            },
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "subscribers[]": array(STRING),
                        "subscribers": STRING,
                        "type": STRING,
                        "state": STRING,
                    },
                }
            },
        },
    }
    for action, summary in (
        ("unsubscribe", "Unsubscribe subscribers (active ones with `all`)"),
        ("reactivate", "Reactivate subscribers (quarantined ones with `all`)"),
        ("resend_confirmation", "Ask subscribers to confirm again (unconfirmed with `all`)"),
    ):
        add(
            "post",
            f"/subscribers/{action}",
            f"subscribers_{action}",
            summary,
            ref("SubscriberBulkResult"),
            body=bulk_body,
            status="202",
            idempotent=True,
        )
    add(
        "get",
        "/subscribers/{subscriber_id}",
        "get_subscriber",
        "Return a subscriber",
        ref("Subscriber"),
        ids=sub,
    )
    add(
        "patch",
        "/subscribers/{subscriber_id}",
        "patch_subscriber",
        "Change a subscriber's components, groups, events or language",
        ref("Subscriber"),
        ids=sub,
        body=wrapped_body("subscriber", _SUBSCRIBER_UPDATE_FIELDS),
    )
    add(
        "delete",
        "/subscribers/{subscriber_id}",
        "delete_subscriber",
        "Unsubscribe one subscriber (kept until purge_at); answers it",
        ref("Subscriber"),
        ids=sub,
    )
    add(
        "get",
        "/incidents/{incident_id}/subscribers",
        "list_incident_subscribers",
        "Subscribers following an incident",
        array(ref("Subscriber")),
        ids=inc,
        query=subscriber_list_query,
    )
    add(
        "post",
        "/incidents/{incident_id}/subscribers",
        "create_incident_subscriber",
        "Subscribe an address to one incident's updates",
        ref("Subscriber"),
        ids=inc,
        body=subscriber_body,
        status="201",
        extra={"200": {**existing["200"], "content": _json_content(ref("Subscriber"))}},
    )
    template_body = wrapped_body("template", _TEMPLATE_FIELDS)
    tpl = [("template_id", "An incident template id.")]
    add(
        "get",
        "/incident_templates",
        "list_templates",
        "List incident templates, then maintenance templates",
        array(ref("IncidentTemplate")),
        query=_PAGING,
    )
    add(
        "post",
        "/incident_templates",
        "create_template",
        "Create a template (update_status decides incident or maintenance)",
        ref("IncidentTemplate"),
        body=template_body,
        status="201",
    )
    add(
        "get",
        "/incident_templates/{template_id}",
        "get_template",
        "Return a template",
        ref("IncidentTemplate"),
        ids=tpl,
    )
    add(
        "patch",
        "/incident_templates/{template_id}",
        "patch_template",
        "Change the fields sent",
        ref("IncidentTemplate"),
        ids=tpl,
        body=template_body,
    )
    add(
        "put",
        "/incident_templates/{template_id}",
        "put_template",
        "Replace a template (unsent fields back to defaults)",
        ref("IncidentTemplate"),
        ids=tpl,
        body=template_body,
    )
    add(
        "delete",
        "/incident_templates/{template_id}",
        "delete_template",
        "Delete a template; answers it as it was",
        ref("IncidentTemplate"),
        ids=tpl,
    )
    add(
        "get",
        "/incidents/{incident_id}/postmortem",
        "get_postmortem",
        "Return an incident's postmortem (null fields when there is none)",
        ref("Postmortem"),
        ids=inc,
    )
    add(
        "put",
        "/incidents/{incident_id}/postmortem",
        "put_postmortem",
        "Save the postmortem draft (422 while published)",
        ref("Postmortem"),
        ids=inc,
        body=wrapped_body("postmortem", {"body_draft": STRING}, required=["body_draft"]),
    )
    add(
        "delete",
        "/incidents/{incident_id}/postmortem",
        "delete_postmortem",
        "Discard an unpublished draft (422 while published); answers it as it was",
        ref("Postmortem"),
        ids=inc,
    )
    add(
        "put",
        "/incidents/{incident_id}/postmortem/publish",
        "publish_postmortem",
        "Publish the draft, or the body_draft sent",
        ref("Postmortem"),
        ids=inc,
        body=wrapped_body("postmortem", _POSTMORTEM_PUBLISH_FIELDS),
    )
    add(
        "put",
        "/incidents/{incident_id}/postmortem/revert",
        "revert_postmortem",
        "Take the published postmortem off the page, keeping it as the draft",
        ref("Postmortem"),
        ids=inc,
    )
    return ops


_UPTIME_RANGE = [
    query_param("start", {"type": "string", "format": "date"}, "First day (YYYY-MM-DD)."),
    query_param("end", {"type": "string", "format": "date"}, "Last day (YYYY-MM-DD)."),
]

# -- Cachet API v1 -------------------------------------------------------------------------

_CACHET_WRITE: list[Json] = [
    {"CachetToken": []},
    {"OAuth": []},
    {"Bearer": []},
    {"ApiKeyQuery": []},
]
# GETs are public; a key that may see hidden items makes them list those too.
_CACHET_READ: list[Json] = [{}, *_CACHET_WRITE]


def _cachet_params(fields: Json) -> Json:
    schema = {"type": "object", "properties": fields}
    return {
        "required": False,
        "description": "Parameters as JSON, as a form, or in the query string (merged).",
        "content": {
            "application/json": {"schema": schema},
            "application/x-www-form-urlencoded": {"schema": schema},
        },
    }


def _cachet_operations() -> list[Operation]:
    tag = "Cachet API v1"
    ops: list[Operation] = []

    def err(description: str) -> Json:
        return reply(description, ref("CachetError"))

    def add(
        method: str,
        path: str,
        op_id: str,
        summary: str,
        ok: Json | None,
        *,
        ids: Iterable[tuple[str, str]] = (),
        body: Json | None = None,
        query: Iterable[Json] = (),
        status: str = "200",
        extra: Json | None = None,
    ) -> None:
        ids = list(ids)
        writes = method != "get"
        responses: Json = {
            status: reply("OK" if ok is not None else "Done.", ok),
            "400": err("A parameter is missing or wrong (or the JSON is malformed)."),
            "429": reply("Too many requests.", ref("CachetError"), _RETRY_AFTER),
        }
        if ids:
            responses["404"] = err("Unknown id.")
        if writes:
            responses["401"] = err("No X-Cachet-Token, or an unknown or revoked one.")
            responses["403"] = err("The key's user may not do this.")
            responses["413"] = err("The body is over 1 MiB.")
        responses.update(extra or {})
        params = [*(path_param(n, d) for n, d in ids), *query]
        if method == "post":
            responses["409"] = err("Idempotency-Key reused with a different body.")
            params.append(_IDEMPOTENCY)
        ops.append(
            Operation(
                method,
                "/api/v1" + path,
                "cachet_" + op_id,
                summary,
                tag,
                responses,
                params,
                body,
                _CACHET_WRITE if writes else _CACHET_READ,
            )
        )

    listing = [
        query_param("page", {"type": "integer", "minimum": 1}, "Page number, from 1."),
        query_param("per_page", {"type": "integer", "minimum": 1}, "Items per page (20)."),
        query_param("sort", STRING, "Field to sort by (id by default)."),
        query_param("order", {"type": "string", "enum": ["asc", "desc"]}, "Sort order."),
    ]

    def page_of(name: str) -> Json:
        return obj({"meta": ref("CachetPagination"), "data": array(ref(name))})

    def one(name: str) -> Json:
        return obj({"data": ref(name)})

    comp = [("component_id", "A component id.")]
    inc = [("incident_id", "An incident id.")]
    component_fields: Json = {
        "name": STRING,
        "description": TEXT_OR_NULL,
        "status": {"type": "integer", "enum": [1, 2, 3, 4]},
        "link": TEXT_OR_NULL,
        "order": {"type": "integer", "minimum": 0},
        "group_id": TEXT_OR_NULL,
        "enabled": BOOLEAN,
    }
    incident_fields: Json = {
        "name": STRING,
        "status": {"type": "integer", "enum": [1, 2, 3, 4]},
        "message": STRING,
        "visible": BOOLEAN,
        "component_id": STRING,
        "component_status": {"type": "integer", "enum": [1, 2, 3, 4]},
        "notify": BOOLEAN,
        "occurred_at": CACHET_TIME,
    }

    add(
        "get",
        "/ping",
        "ping",
        "Liveness probe",
        obj({"data": {"type": "string", "enum": ["Pong!"]}}),
    )
    add(
        "get",
        "/version",
        "version",
        "This product's version",
        obj({"meta": obj({"on_latest": BOOLEAN, "latest": {"type": "null"}}), "data": STRING}),
    )
    add(
        "get",
        "/status",
        "status",
        "System status",
        obj(
            {
                "data": obj(
                    {"status": {"type": "string", "enum": ["success", "info"]}, "message": STRING}
                )
            }
        ),
    )
    add(
        "get",
        "/components",
        "list_components",
        "List components",
        page_of("CachetComponent"),
        query=[
            *listing,
            query_param("status", {"type": "integer", "enum": [1, 2, 3, 4]}, "Only this status."),
            query_param("name", STRING, "Only this name."),
        ],
    )
    add(
        "post",
        "/components",
        "create_component",
        "Create a component",
        one("CachetComponent"),
        body=_cachet_params(component_fields),
    )
    add(
        "get",
        "/components/{component_id}",
        "get_component",
        "Return a component",
        one("CachetComponent"),
        ids=comp,
    )
    add(
        "put",
        "/components/{component_id}",
        "update_component",
        "Change a component",
        one("CachetComponent"),
        ids=comp,
        body=_cachet_params(component_fields),
    )
    add(
        "delete",
        "/components/{component_id}",
        "delete_component",
        "Delete a component",
        None,
        ids=comp,
        status="204",
    )
    add(
        "get",
        "/components/groups",
        "list_groups",
        "List component groups",
        page_of("CachetComponentGroup"),
        query=listing,
    )
    add(
        "get",
        "/components/groups/{group_id}",
        "get_group",
        "Return a component group",
        one("CachetComponentGroup"),
        ids=[("group_id", "A component group id.")],
    )
    add(
        "get",
        "/incidents",
        "list_incidents",
        "List incidents",
        page_of("CachetIncident"),
        query=listing,
    )
    add(
        "post",
        "/incidents",
        "create_incident",
        "Open an incident",
        one("CachetIncident"),
        body=_cachet_params(incident_fields),
    )
    add(
        "get",
        "/incidents/{incident_id}",
        "get_incident",
        "Return an incident",
        one("CachetIncident"),
        ids=inc,
    )
    add(
        "put",
        "/incidents/{incident_id}",
        "update_incident",
        "Rename, show/hide, or post a status or message",
        one("CachetIncident"),
        ids=inc,
        body=_cachet_params(incident_fields),
    )
    add(
        "get",
        "/incidents/{incident_id}/updates",
        "list_updates",
        "An incident's updates",
        page_of("CachetIncidentUpdate"),
        ids=inc,
        query=listing,
    )
    add(
        "post",
        "/incidents/{incident_id}/updates",
        "create_update",
        "Post an update",
        one("CachetIncidentUpdate"),
        ids=inc,
        body=_cachet_params(
            {"status": incident_fields["status"], "message": STRING, "notify": BOOLEAN}
        ),
    )
    add(
        "get",
        "/schedules",
        "list_schedules",
        "List maintenance windows",
        page_of("CachetSchedule"),
        query=listing,
    )
    add(
        "post",
        "/schedules",
        "create_schedule",
        "Schedule maintenance",
        one("CachetSchedule"),
        body=_cachet_params(
            {
                "name": STRING,
                "message": STRING,
                "status": {"type": "integer", "enum": [0, 1, 2]},
                "scheduled_at": CACHET_TIME,
                "completed_at": CACHET_TIME,
                "components": {"type": "object", "additionalProperties": INTEGER},
            }
        ),
    )
    add(
        "delete",
        "/schedules/{schedule_id}",
        "delete_schedule",
        "Cancel a maintenance window (it is kept, marked cancelled)",
        None,
        ids=[("schedule_id", "A schedule id.")],
        status="204",
        body=_cachet_params({"message": STRING, "notify": BOOLEAN}),
        extra={"400": err("The window is completed or already cancelled, or a wrong parameter.")},
    )
    add(
        "post",
        "/subscribers",
        "create_subscriber",
        "Add an email subscriber (verify skips the confirmation email)",
        one("CachetSubscriber"),
        body=_cachet_params(
            {
                "email": STRING,
                "verify": BOOLEAN,
                "components": {
                    "anyOf": [array(STRING), STRING],
                    "description": "Component ids: a list or a comma-separated string.",
                },
            }
        ),
    )
    add(
        "delete",
        "/subscribers/{subscriber_id}",
        "delete_subscriber",
        "Delete a subscriber for good",
        None,
        ids=[("subscriber_id", "A subscriber id.")],
        status="204",
    )
    return ops


def all_operations() -> list[Operation]:
    """Return every operation this module documents, registered or not."""
    docs = Operation(
        "get",
        DOCUMENT_PATH,
        "openapi_document",
        "This OpenAPI document",
        "Meta",
        {
            "200": reply("OK", {"type": "object"}, _ETAG),
            "304": reply("Not modified since the ETag sent in If-None-Match."),
        },
        security=[],
    )
    return [docs, *_v2_operations(), *_manage_operations(), *_cachet_operations()]


# -- matching operations to routes ---------------------------------------------------------


def route_key(path: str) -> str:
    """Return a path or Flask rule with every parameter as `{}` (names do not matter)."""
    return _PARAM.sub("{}", path)


def registered_routes(app: Flask) -> set[tuple[str, str]]:
    """Return (method, route key) of the app's /api/ endpoints, `.json` twins folded."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]
    plain = {(r.endpoint, r.rule) for r in rules}
    found: set[tuple[str, str]] = set()
    for rule in rules:
        if rule.rule in UNDOCUMENTED_RULES:
            continue
        text = rule.rule
        if text.endswith(".json") and (rule.endpoint, text.removesuffix(".json")) in plain:
            text = text.removesuffix(".json")
        for method in rule.methods or ():
            if method not in _AUTOMATIC_METHODS:
                found.add((method.lower(), route_key(text)))
    return found


def _paths(operations: Iterator[Operation] | list[Operation]) -> Json:
    paths: Json = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method] = op.as_json()
    return paths


def build_document(app: Flask) -> Json:
    """Return the OpenAPI 3.1 document of the endpoints this app registers."""
    routes = registered_routes(app)
    operations = [op for op in all_operations() if (op.method, route_key(op.path)) in routes]
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": str(app.config.get("OPENAPI_TITLE", "statuspage API")),
            "version": "1",
            "description": (
                "Public read API in the Statuspage v2 format (no key), the Statuspage "
                "Manage API v1 (`Authorization: OAuth <key>`; a `.json` suffix on its paths "
                "is optional; bodies as JSON or form-encoded) and a Cachet API v1 subset "
                "(`X-Cachet-Token: <key>`). Every error answers JSON with a message to read."
            ),
        },
        "tags": [
            {"name": "Public API v2"},
            {"name": "Manage API v1"},
            {"name": "Cachet API v1"},
            {"name": "Meta"},
        ],
        "paths": _paths(operations),
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "OAuth": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Authorization: OAuth <api key>` (Statuspage's scheme).",
                },
                "Bearer": {"type": "http", "scheme": "bearer"},
                "ApiKeyQuery": {"type": "apiKey", "in": "query", "name": "api_key"},
                "CachetToken": {"type": "apiKey", "in": "header", "name": "X-Cachet-Token"},
            },
        },
    }


def _cached(app: Flask) -> tuple[bytes, str]:
    cached: tuple[bytes, str] | None = app.extensions.get(_EXTENSION_KEY)
    if cached is None:
        body = json.dumps(build_document(app), ensure_ascii=False, separators=(",", ":")).encode()
        cached = (body, hashlib.sha256(body).hexdigest()[:32])
        app.extensions[_EXTENSION_KEY] = cached
    return cached


@bp.get(DOCUMENT_PATH)
def document() -> Response:
    """Serve this app's OpenAPI document (built once per app, CORS open, ETag)."""
    body, etag = _cached(current_app._get_current_object())  # type: ignore[attr-defined]
    response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    response.make_conditional(request)
    return response
