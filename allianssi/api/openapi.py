"""The OpenAPI 3.1 document of the JSON API. Its schemas are JSON Schema (2020-12); the tests
validate the document itself and every response the API gives against them."""

from __future__ import annotations

import copy
from typing import Any

from allianssi.alliances.models import Phase, ServiceArea
from allianssi.openbook.models import CostCategory
from allianssi.referrals.models import EndedBy, Outcome, RejectReason, Side, State

MONEY = {
    "type": "string",
    "pattern": r"^-?[0-9]+\.[0-9]{2}$",
    "description": "Euros with two decimals, as text so that no cent is lost.",
    "examples": ["1234.56"],
}
ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "Stable: programs match on it."},
        "message": {"type": "string", "description": "For people, in the request's language."},
        "field": {
            "type": "string",
            "description": "The input it is about, where it is about one: a query parameter, "
            "a header, or a body's field (entries[2].evidence).",
        },
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": ERROR,
    "Alliance": {
        "type": "object",
        "required": ["id", "name", "phase", "term_start", "term_end"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "phase": {"enum": list(Phase.values)},
            "term_start": {"type": "string", "format": "date"},
            "term_end": {"type": "string", "format": "date"},
        },
    },
    "Alliances": {
        "type": "object",
        "required": ["alliances"],
        "properties": {
            "alliances": {"type": "array", "items": {"$ref": "#/components/schemas/Alliance"}}
        },
    },
    "CostEntry": {
        "type": "object",
        "description": (
            "One cost, with the fields and rules of the import file format (docs/ledger-import.md)."
        ),
        "required": [
            "booked_on",
            "producer",
            "organizer",
            "service_area",
            "category",
            "amount",
            "description",
        ],
        "additionalProperties": False,
        "properties": {
            "booked_on": {
                "type": "string",
                "description": "2026-03-31 or 31.3.2026, within the alliance's term.",
            },
            "producer": {
                "type": "string",
                "description": "The producer or own unit that incurred it: Y-tunnus, name or #id.",
            },
            "organizer": {
                "type": "string",
                "description": "The organizer whose budget carries it: Y-tunnus, name or #id.",
            },
            "service_area": {
                "type": "string",
                "description": "A service area of the alliance: "
                + ", ".join(ServiceArea.values)
                + ", or its name in Finnish, Swedish or English.",
            },
            "category": {
                "type": "string",
                "description": ", ".join(CostCategory.values)
                + ", or its name in Finnish, Swedish or English.",
            },
            "amount": {
                "type": ["string", "number"],
                "description": 'Euros and cents, not zero: 1234.56 or "1 234,56".',
            },
            "description": {"type": "string", "maxLength": 500},
            "evidence": {"type": "string", "maxLength": 300},
        },
    },
    "CostBatch": {
        "type": "object",
        "required": ["entries"],
        "additionalProperties": False,
        "examples": [
            {
                "batch_id": "erp-2026-03",
                "entries": [
                    {
                        "booked_on": "2026-03-31",
                        "producer": "Työpolku Oy",
                        "organizer": "Tampere",
                        "service_area": "employment",
                        "category": "personnel",
                        "amount": "1234.56",
                        "description": "Valmentajan palkka",
                        "evidence": "Lasku 1001",
                    }
                ],
            }
        ],
        "properties": {
            "batch_id": {
                "type": "string",
                "maxLength": 100,
                "description": "The batch's id in your system: the same id is booked once. "
                "Sent again with the same entries, the answer is the batch booked before; with "
                "other entries, 409.",
            },
            "entries": {
                "type": "array",
                "minItems": 1,
                "maxItems": 100000,
                "items": {"$ref": "#/components/schemas/CostEntry"},
            },
        },
    },
    "BatchResult": {
        "type": "object",
        "required": ["duplicate", "batch"],
        "properties": {
            "duplicate": {
                "type": "boolean",
                "description": "True: this batch (id or content) was booked before; "
                "nothing was booked now.",
            },
            "batch": {
                "type": "object",
                "required": ["id", "batch_id", "rows", "total", "created_at"],
                "properties": {
                    "id": {"type": "integer"},
                    "batch_id": {"type": "string"},
                    "rows": {"type": "integer"},
                    "total": MONEY,
                    "created_at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
    "BatchConflict": {
        "type": "object",
        "required": ["code", "message", "batch"],
        "properties": {
            **ERROR["properties"],
            "batch": {
                "type": "object",
                "description": "The batch booked before under this id.",
                "required": ["id", "batch_id", "rows", "total", "created_at"],
                "properties": {
                    "id": {"type": "integer"},
                    "batch_id": {"type": "string"},
                    "rows": {"type": "integer"},
                    "total": MONEY,
                    "created_at": {"type": "string", "format": "date-time"},
                },
            },
        },
    },
    "Rejected": {
        "type": "object",
        "required": ["code", "message", "rejected", "errors"],
        "properties": {
            **ERROR["properties"],
            "rejected": {"type": "integer", "description": "How many entries were rejected."},
            "errors": {
                "type": "array",
                "description": "The first 1 000 errors: nothing of the batch was booked.",
                "items": {
                    "type": "object",
                    "required": ["entry", "field", "message"],
                    "properties": {
                        "entry": {"type": "integer", "description": "0-based index."},
                        "field": {"type": "string"},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    },
    "Totals": {
        "type": "object",
        "required": ["start", "end", "total", "entries", "by_organizer", "lines"],
        "properties": {
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "total": MONEY,
            "entries": {"type": "integer"},
            "by_organizer": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["organizer", "amount"],
                    "properties": {"organizer": {"type": "integer"}, "amount": MONEY},
                },
            },
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "organizer",
                        "producer",
                        "service_area",
                        "category",
                        "amount",
                        "entries",
                    ],
                    "properties": {
                        "organizer": {"type": "integer"},
                        "producer": {"type": "integer"},
                        "service_area": {"enum": list(ServiceArea.values)},
                        "category": {"enum": list(CostCategory.values)},
                        "amount": MONEY,
                        "entries": {"type": "integer"},
                    },
                },
            },
        },
    },
    "KpiResultInput": {
        "type": "object",
        "required": ["kpi", "measured_on", "value", "evidence"],
        "additionalProperties": False,
        "examples": [
            {"kpi": "employed", "measured_on": "2026-06-30", "value": "25.2", "evidence": "CRM Q2"}
        ],
        "properties": {
            "kpi": {"type": "string", "description": "The KPI's key in the year's terms."},
            "measured_on": {
                "type": "string",
                "format": "date",
                "description": "The last day of the period the value describes.",
            },
            "value": {
                "type": ["number", "string"],
                "description": "The value, at most six decimals (as text to keep them exact).",
            },
            "evidence": {"type": "string", "description": "Where the value comes from."},
        },
    },
    "KpiResult": {
        "type": "object",
        "required": ["id", "kpi", "measured_on", "value", "evidence", "source"],
        "properties": {
            "id": {"type": "integer"},
            "kpi": {"type": "string"},
            "measured_on": {"type": "string", "format": "date"},
            "value": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"},
            "evidence": {"type": "string"},
            "source": {"type": "string"},
        },
    },
    "SettlementSummary": {
        "type": "object",
        "required": ["id", "year", "kind", "start", "end", "version", "status", "outturn"],
        "properties": {
            "id": {"type": "integer"},
            "year": {"type": "integer"},
            "kind": {"enum": ["interim", "final"]},
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date", "description": "The period's last day."},
            "version": {"type": "integer"},
            "status": {"enum": ["draft", "proposed", "approved", "rejected"]},
            "outturn": MONEY,
        },
    },
    "Settlements": {
        "type": "object",
        "required": ["settlements"],
        "properties": {
            "settlements": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/SettlementSummary"},
            }
        },
    },
    "Invoice": {
        "type": "object",
        "required": [
            "number",
            "seller",
            "buyer",
            "issued_on",
            "due_on",
            "reference",
            "rf",
            "net",
            "vat",
            "total",
        ],
        "properties": {
            "number": {"type": "string"},
            "seller": {"type": "integer", "description": "The seller party's id."},
            "buyer": {"type": "integer", "description": "The buyer party's id."},
            "issued_on": {"type": "string", "format": "date"},
            "due_on": {"type": "string", "format": "date"},
            "reference": {"type": "string", "description": "The Finnish reference number."},
            "rf": {"type": "string", "description": "The same as an RF creditor reference."},
            "net": MONEY,
            "vat": MONEY,
            "total": {**MONEY, "description": "Negative: a credit note."},
        },
    },
    "Settlement": {
        "allOf": [{"$ref": "#/components/schemas/SettlementSummary"}],
        "type": "object",
        "required": ["inputs", "result", "invoices"],
        "properties": {
            "inputs": {
                "type": "object",
                "description": "The input document of the settlement format "
                "(docs/settlement-format.md): the terms and the period's actuals.",
            },
            "result": {
                "type": "object",
                "description": "The result document of the settlement format.",
            },
            "invoices": {"type": "array", "items": {"$ref": "#/components/schemas/Invoice"}},
        },
    },
}


CATALOGUE_SCHEMAS: dict[str, Any] = {
    "CatalogueService": {
        "type": "object",
        "required": [
            "id",
            "uuid",
            "alliance",
            "name",
            "summary",
            "service_area",
            "for_persons",
            "for_companies",
            "chargeable",
            "responsible",
            "producers",
            "url",
        ],
        "properties": {
            "id": {"type": "integer"},
            "uuid": {"type": "string", "format": "uuid"},
            "alliance": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "name": {"type": "string", "description": "In the asked language, else Finnish."},
            "summary": {"type": "string"},
            "service_area": {"enum": list(ServiceArea.values)},
            "for_persons": {"type": "boolean"},
            "for_companies": {"type": "boolean"},
            "chargeable": {"type": "boolean"},
            "responsible": {"type": "array", "items": {"type": "string"}},
            "producers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "provision"],
                    "properties": {
                        "name": {"type": "string"},
                        "provision": {"enum": ["procured", "self_produced"]},
                    },
                },
            },
            "url": {"type": "string", "description": "The service's public page."},
        },
    },
    "CatalogueServices": {
        "type": "object",
        "required": ["count", "page", "pages", "services"],
        "properties": {
            "count": {"type": "integer"},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "services": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/CatalogueService"},
            },
        },
    },
    "PtvService": {
        "type": "object",
        "description": "A service in the shape of the national service catalogue's (PTV) Open "
        "API v11 service (V11VmOpenApiService); see docs/catalogue-exports.md.",
        "required": ["id", "type", "serviceNames", "organizations", "publishingStatus"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "type": {"type": "string"},
            "serviceNames": {"type": "array", "items": {"type": "object"}},
            "organizations": {"type": "array", "items": {"type": "object"}},
            "serviceChannels": {"type": "array", "items": {"type": "object"}},
            "publishingStatus": {"type": "string"},
        },
    },
    "PtvExport": {"type": "array", "items": {"$ref": "#/components/schemas/PtvService"}},
    "HsdsExport": {
        "type": "object",
        "description": "Open Referral HSDS 3.0: services (each with its organization and "
        "service_at_location records) and organizations; see docs/catalogue-exports.md.",
        "required": ["language", "services", "organizations"],
        "properties": {
            "language": {"enum": ["fi", "sv", "en"]},
            "services": {"type": "array", "items": {"type": "object"}},
            "organizations": {"type": "array", "items": {"type": "object"}},
        },
    },
}
SCHEMAS.update(CATALOGUE_SCHEMAS)

_DATE = {"type": "string", "format": "date"}
_MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "description": "A month: 2026-03."}
_VISIBLE_STATES = [s for s in State.values if s != State.DRAFT]
_MOVES = [State.ACCEPTED, State.REJECTED, State.STARTED, State.COMPLETED, State.INTERRUPTED]


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


#: What a referral carries to its producer, and nothing else: no henkilötunnus, no pseudonym.
_REFERRAL_PROPERTIES: dict[str, Any] = {
    "number": {"type": "integer", "description": "The referral's number in the alliance."},
    "state": {"enum": _VISIBLE_STATES},
    "changed_at": {
        "type": "string",
        "format": "date-time",
        "description": "When the referral last moved: poll with since.",
    },
    "service": {
        "type": "object",
        "required": ["number", "name"],
        "additionalProperties": False,
        "properties": {
            "number": {"type": "integer"},
            "name": {
                "type": "object",
                "description": "As the service was when the referral was sent; sv and en may "
                "be empty.",
                "required": ["fi", "sv", "en"],
                "additionalProperties": False,
                "properties": {
                    "fi": {"type": "string"},
                    "sv": {"type": "string"},
                    "en": {"type": "string"},
                },
            },
        },
    },
    "customer": {
        "type": "object",
        "description": "Whom to serve and how to reach them. Never the henkilötunnus.",
        "required": ["name", "email", "phone", "municipality"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "email": {"type": "string"},
            "phone": {"type": "string"},
            "municipality": {
                **_nullable({"type": "string", "pattern": r"^\d{3}$"}),
                "description": "The municipality of residence, its Statistics Finland code.",
            },
        },
    },
    "message": {"type": "string", "description": "What the sender tells the producer."},
    "sent_at": {"type": "string", "format": "date-time"},
    "answer_by": {**_DATE, "description": "Unanswered by this day, the referral expires."},
    "month": {**_nullable(_MONTH), "description": "The month of service, once accepted."},
    "episode": {
        **_nullable(
            {
                "type": "object",
                "required": ["started_on", "ended_on", "outcome", "ended_by"],
                "additionalProperties": False,
                "properties": {
                    "started_on": _DATE,
                    "ended_on": _nullable(_DATE),
                    "outcome": _nullable({"enum": list(Outcome.values)}),
                    "ended_by": _nullable({"enum": list(EndedBy.values)}),
                },
            }
        ),
        "description": "The service given, once started.",
    },
}
_FIELD_ERROR = {
    "type": "object",
    "required": ["field", "code", "message"],
    "properties": {
        "field": {"type": "string", "description": "The body's field, or Idempotency-Key."},
        "code": {"type": "string"},
        "message": {"type": "string"},
    },
}

REFERRAL_SCHEMAS: dict[str, Any] = {
    "Referral": {
        "type": "object",
        "required": list(_REFERRAL_PROPERTIES),
        "additionalProperties": False,
        "properties": _REFERRAL_PROPERTIES,
    },
    "ReferralQueue": {
        "type": "object",
        "required": ["referrals", "next_cursor"],
        "properties": {
            "referrals": {"type": "array", "items": {"$ref": "#/components/schemas/Referral"}},
            "next_cursor": {
                **_nullable({"type": "string"}),
                "description": "Send as cursor for the next page; null: this was the last.",
            },
        },
    },
    "ReferralTransition": {
        "type": "object",
        "required": ["from", "to", "side", "via", "at", "reason_code", "note"],
        "additionalProperties": False,
        "properties": {
            "from": {**_nullable({"enum": list(State.values)}), "description": "Null: created."},
            "to": {"enum": list(State.values)},
            "side": {"enum": list(Side.values)},
            "via": {"enum": ["web", "api", "person", "system"]},
            "at": {"type": "string", "format": "date-time"},
            "reason_code": {"type": "string"},
            "note": {"type": "string"},
        },
    },
    "ReferralDetail": {
        "type": "object",
        "required": [*_REFERRAL_PROPERTIES, "transitions"],
        "additionalProperties": False,
        "properties": {
            **_REFERRAL_PROPERTIES,
            "transitions": {
                "type": "array",
                "description": "Every move, the first first.",
                "items": {"$ref": "#/components/schemas/ReferralTransition"},
            },
        },
    },
    "TransitionInput": {
        "type": "object",
        "required": ["to"],
        "additionalProperties": False,
        "examples": [{"to": "accepted", "month": "2026-04"}],
        "description": "The move, and the fields it takes: accepted (month), rejected "
        "(reason_code, reason), started (started_on), completed (outcome, reason, ended_on), "
        "interrupted (ended_by, reason, ended_on). Any other field is refused.",
        "properties": {
            "to": {"enum": _MOVES},
            "month": {
                **_MONTH,
                "description": "accepted: the month of service, this month unless given; the "
                "service must have a place left in it.",
            },
            "reason_code": {"enum": list(RejectReason.values), "description": "rejected."},
            "reason": {
                "type": "string",
                "maxLength": 2000,
                "description": "Required for rejected with reason_code other, for completed "
                "unless achieved, and for interrupted by the producer.",
            },
            "started_on": {**_DATE, "description": "started: today unless given."},
            "outcome": {"enum": list(Outcome.values), "description": "completed."},
            "ended_by": {"enum": list(EndedBy.values), "description": "interrupted."},
            "ended_on": {**_DATE, "description": "completed, interrupted: today unless given."},
        },
    },
    "InputErrors": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            **ERROR["properties"],
            "errors": {
                "type": "array",
                "minItems": 1,
                "description": "Each wrong field with its own code and message; absent when "
                "the body is not a JSON object at all (json_invalid, body_invalid).",
                "items": _FIELD_ERROR,
            },
        },
    },
}
SCHEMAS.update(REFERRAL_SCHEMAS)


def _json(schema: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


ERRORS = {
    "401": _json("Error", "No token, or an unknown or revoked one."),
    "404": _json("Error", "No such alliance, or not one of the token's person."),
}
ALLIANCE = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
    "description": "The alliance's id (see GET /alliances/).",
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_NOT_PUBLISHED = _json("Error", "No such published service, or its alliance does not publish.")
_BAD_QUERY = _json("Error", "A query parameter is not one of its allowed values.")
LANGUAGE = _query("language", {"enum": ["fi", "sv", "en"]}, "The language to read; default fi.")

#: The catalogue's operations: public, no token.
CATALOGUE_PATHS: dict[str, Any] = {
    "/catalogue/services/": {
        "get": {
            "operationId": "searchServices",
            "summary": "Published services, searched by words and filtered (no token needed)",
            "security": [],
            "parameters": [
                _query("q", {"type": "string", "maxLength": 200}, "Words to search for."),
                LANGUAGE,
                _query("customer_type", {"enum": ["person", "company"]}, "Who it is for."),
                _query("target_group", {"type": "string"}, "A PTV target group code (KR1)."),
                _query("municipality", {"type": "string"}, "A municipality code (837)."),
                _query("service_area", {"enum": list(ServiceArea.values)}, "A service area."),
                _query(
                    "channel",
                    {"enum": ["location", "phone", "web_page", "e_service"]},
                    "A kind of channel it can be reached by.",
                ),
                _query("page", {"type": "integer", "minimum": 1}, "The page, 20 a page."),
            ],
            "responses": {
                "200": _json("CatalogueServices", "A page of matching services."),
                "400": _BAD_QUERY,
            },
        }
    },
    "/catalogue/services/{id}/": {
        "get": {
            "operationId": "getService",
            "summary": "One published service, in the shape of a PTV v11 service",
            "security": [],
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "responses": {"200": _json("PtvService", "The service."), "404": _NOT_PUBLISHED},
        }
    },
    "/catalogue/alliances/{id}/ptv/": {
        "get": {
            "operationId": "exportPtv",
            "summary": "An alliance's published services as PTV v11 services",
            "security": [],
            "parameters": [ALLIANCE],
            "responses": {"200": _json("PtvExport", "The services."), "404": _NOT_PUBLISHED},
        }
    },
    "/catalogue/alliances/{id}/hsds/": {
        "get": {
            "operationId": "exportHsds",
            "summary": "An alliance's published services as Open Referral HSDS 3.0",
            "security": [],
            "parameters": [ALLIANCE, LANGUAGE],
            "responses": {
                "200": _json("HsdsExport", "The services and organizations."),
                "400": _BAD_QUERY,
                "404": _NOT_PUBLISHED,
            },
        }
    },
}

_TOKEN: list[dict[str, list[str]]] = [{"token": []}]
_REFERRAL_NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
    "description": "The referral's number in the alliance.",
}
_NOT_YOURS = _json("Error", "No such alliance for you, or no such referral sent to your producer.")
_NOT_STAFF = _json("Error", "You are not on the staff of a producer of this alliance.")

#: A producer's referral queue: its staff's tokens.
REFERRAL_PATHS: dict[str, Any] = {
    "/alliances/{id}/referrals/queue/": {
        "get": {
            "operationId": "listReferralQueue",
            "summary": "Your producer's referrals, the longest waiting first",
            "description": "Each customer shown is logged as read through the API.",
            "security": _TOKEN,
            "parameters": [
                ALLIANCE,
                _query(
                    "state",
                    {"type": "string"},
                    "all, or one or more of "
                    + ", ".join(_VISIBLE_STATES)
                    + " separated by commas; default sent.",
                ),
                _query(
                    "since",
                    {"type": "string", "format": "date-time"},
                    "Only those changed after this moment (with its offset): for polling.",
                ),
                _query("cursor", {"type": "string"}, "next_cursor of the previous page."),
                _query(
                    "limit",
                    {"type": "integer", "minimum": 1, "maximum": 100},
                    "How many a page; default 50.",
                ),
            ],
            "responses": {
                "200": _json("ReferralQueue", "A page of the queue."),
                "400": _json("Error", "A query parameter is not valid."),
                "403": _NOT_STAFF,
                **ERRORS,
            },
        }
    },
    "/alliances/{id}/referrals/{number}/": {
        "get": {
            "operationId": "getReferral",
            "summary": "One of your producer's referrals, with its moves",
            "security": _TOKEN,
            "parameters": [ALLIANCE, _REFERRAL_NUMBER],
            "responses": {
                "200": _json("ReferralDetail", "The referral."),
                "403": _NOT_STAFF,
                **ERRORS,
                "404": _NOT_YOURS,
            },
        }
    },
    "/alliances/{id}/referrals/{number}/transitions/": {
        "post": {
            "operationId": "moveReferral",
            "summary": "Accept, reject, start, complete or interrupt a referral, once per key",
            "security": _TOKEN,
            "parameters": [
                ALLIANCE,
                _REFERRAL_NUMBER,
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                    "description": "Names this move in your system. Sent again with the same "
                    "key, the move is made once and the answer is the referral as it is now.",
                },
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/TransitionInput"}}
                },
            },
            "responses": {
                "200": {
                    **_json("ReferralDetail", "Moved (or moved before with this key)."),
                    "headers": {
                        "Idempotent-Replayed": {
                            "description": "true: the key had been used before; no move "
                            "was made now.",
                            "schema": {"enum": ["true"]},
                        }
                    },
                },
                "400": _json("InputErrors", "The key or the body is not valid: errors says."),
                "403": _NOT_STAFF,
                "409": _json(
                    "Error",
                    "The referral's state does not allow the move (referral_moved: another "
                    "move came first), or the service has no place left (no_capacity).",
                ),
                "422": _json("Error", "idempotency_conflict: the key was used for another move."),
                **ERRORS,
                "404": _NOT_YOURS,
            },
        }
    },
}


_OUTCOME_STATUSES = ["claimed", "verified", "contradicted", "no_data", "disputed"]
OUTCOME_SCHEMAS: dict[str, Any] = {
    "OutcomeEventInput": {
        "type": "object",
        "required": ["outcome", "date"],
        "additionalProperties": False,
        "examples": [{"referral": 1, "outcome": "employed_open", "date": "2026-05-04",
                      "evidence": "Työsopimus", "id": "CRM-7"}],
        "description": "One outcome of a customer. Name the referral whose service it follows "
        "(a producer: one whose service started with you; an organizer: one of your "
        "customers'), or, as an organizer, the customer.",
        "properties": {
            "referral": {"type": "integer", "description": "The referral's number."},
            "customer": {"type": "integer", "description": "An organizer's customer number."},
            "outcome": {"type": "string", "description": "An outcome type's code, e.g. "
                        "employed_open, employed_subsidised, started_degree, hired."},
            "date": {**_DATE, "description": "When it happened; not in the future."},
            "evidence": {"type": "string", "maxLength": 300},
            "id": {"type": "string", "maxLength": 100,
                   "description": "The event's identifier in your system: recorded once."},
        },
    },
    "OutcomeEvent": {
        "type": "object",
        "required": ["id", "event", "referrals", "customer", "outcome", "date", "source",
                     "status", "evidence", "recorded_at"],
        "additionalProperties": False,
        "properties": {
            "id": _nullable({"type": "string"}),
            "event": {"type": "integer", "description": "Allianssi's number of the event."},
            "referrals": {"type": "array", "items": {"type": "integer"},
                          "description": "The referrals whose services it follows."},
            "customer": {**_nullable({"type": "integer"}),
                         "description": "The customer's number: for its organizer only."},
            "outcome": {"type": "string"},
            "date": _DATE,
            "source": {"enum": ["producer", "customer", "register"]},
            "status": {"enum": _OUTCOME_STATUSES,
                       "description": "A claim until verified against a register or a hand "
                       "check; never what the register said."},
            "evidence": {"type": "string"},
            "recorded_at": {"type": "string", "format": "date-time"},
        },
    },
    "OutcomeEvents": {
        "type": "object",
        "required": ["events", "next_before"],
        "properties": {
            "events": {"type": "array", "items": {"$ref": "#/components/schemas/OutcomeEvent"}},
            "next_before": {**_nullable({"type": "integer"}),
                            "description": "Send as before for the next page; null: the last."},
        },
    },
    "IndigoProject": {
        "type": "object",
        "description": "The INDIGO data standard's project (3.0), the parts Allianssi fills: "
        "name, outcome_metrics, outcome_pricings, results and outcome_payments; values wrapped "
        "as {\"value\": …}; money in euros as numbers.",
        "required": ["name", "outcome_metrics", "outcome_pricings", "results", "outcome_payments"],
        "properties": {
            "name": {"type": "object"},
            "outcome_metrics": {"type": "array", "items": {"type": "object"}},
            "outcome_pricings": {"type": "array", "items": {"type": "object"}},
            "results": {"type": "array", "items": {"type": "object"}},
            "outcome_payments": {"type": "array", "items": {"type": "object"}},
        },
    },
}  # fmt: skip
SCHEMAS.update(OUTCOME_SCHEMAS)

#: Outcome events: producers' staff and organizers' customer advisors.
OUTCOME_PATHS: dict[str, Any] = {
    "/alliances/{id}/indigo/": {
        "get": {
            "operationId": "exportIndigo",
            "summary": "A year's outcome metrics, pricings, results and payments as INDIGO",
            "description": "Aggregates only: no customer and no event; a result about fewer "
            "than five customers leaves its numbers out.",
            "security": _TOKEN,
            "parameters": [
                ALLIANCE,
                {**_query("year", {"type": "integer", "minimum": 1000, "maximum": 9999},
                          "The year."), "required": True},
            ],
            "responses": {
                "200": _json("IndigoProject", "The project."),
                "400": _json("Error", "year_invalid: give the year; year_outside_term: "
                              "a year of the alliance's term (the message names them)."),
                "403": _json("Error", "You may not read the alliance's figures."),
                **ERRORS,
            },
        },
    },
    "/alliances/{id}/outcome-events/": {
        "get": {
            "operationId": "listOutcomeEvents",
            "summary": "The outcome events your party reported, the newest first, with statuses",
            "security": _TOKEN,
            "parameters": [
                ALLIANCE,
                _query("since", {"type": "string", "format": "date-time"},
                       "Only those recorded or checked after this moment (with its offset)."),
                _query("before", {"type": "integer"}, "next_before of the previous page."),
            ],
            "responses": {
                "200": _json("OutcomeEvents", "A page of events."),
                "400": _json("Error", "A query parameter is not valid."),
                "403": _json("Error", "You do not report outcomes in this alliance."),
                **ERRORS,
            },
        },
        "post": {
            "operationId": "recordOutcomeEvent",
            "summary": "Record an outcome of a customer you served, once per id",
            "security": _TOKEN,
            "parameters": [ALLIANCE],
            "requestBody": {
                "required": True,
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/OutcomeEventInput"}}},
            },
            "responses": {
                "201": _json("OutcomeEvent", "Recorded: a claim until verified."),
                "200": _json("OutcomeEvent", "Recorded before with this id; nothing new."),
                "400": _json("InputErrors", "The body is not valid, or the service refused it."),
                "403": _json("Error", "You may not record outcomes of this customer."),
                **ERRORS,
            },
        },
    },
}  # fmt: skip


#: What any operation may answer to a query parameter (even one it does not take) that holds
#: a character no text may hold, where it documents no 400 of its own.
_TEXT_INVALID = _json(
    "Error", "text_invalid: a query parameter holds NUL or half of a surrogate pair."
)


def document(server: str) -> dict[str, Any]:
    found = copy.deepcopy(_document(server))
    for item in found["paths"].values():
        for operation in item.values():
            operation["responses"].setdefault("400", _TEXT_INVALID)
    return found


def _document(server: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Allianssi",
            "version": "1",
            "description": (
                "For producers' and organizers' own systems: send costs to an alliance's open "
                "books and read its totals, record KPI results, and read settlements with their "
                "invoices. Make a token on the API tokens page; it acts as you, with your rights "
                "in each alliance. A producer's staff read the producer's referral queue and "
                "move its referrals on. The service catalogue's operations (/catalogue/…) are "
                "public and need no token."
            ),
        },
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "paths": {
            "/alliances/": {
                "get": {
                    "operationId": "listAlliances",
                    "summary": "The alliances you take part in",
                    "responses": {"200": _json("Alliances", "The alliances."), **ERRORS},
                }
            },
            "/alliances/{id}/cost-batches/": {
                "post": {
                    "operationId": "bookCostBatch",
                    "summary": "Book a batch of costs: all entries or none, and only once",
                    "parameters": [ALLIANCE],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/CostBatch"}
                            }
                        },
                    },
                    "responses": {
                        "201": _json("BatchResult", "Booked."),
                        "200": _json("BatchResult", "Booked before; nothing booked now."),
                        "400": _json(
                            "Error",
                            "Not a batch of the documented form: json_invalid, json_too_deep, "
                            "text_invalid (NUL or half a surrogate pair in a text), "
                            "batch_invalid (with field: one that a batch does not have), "
                            "batch_id_invalid, batch_empty, entry_invalid (with entry).",
                        ),
                        "403": _json("Error", "You may not book costs in this alliance."),
                        "409": _json(
                            "BatchConflict",
                            "batch_id_conflict: the batch id was booked before with other "
                            "entries; nothing was booked now.",
                        ),
                        "413": _json("Error", "Too large: send it in parts."),
                        "422": _json("Rejected", "Entries rejected; nothing was booked."),
                        **ERRORS,
                    },
                }
            },
            "/alliances/{id}/kpi-results/": {
                "post": {
                    "operationId": "recordKpiResult",
                    "summary": "Record a KPI's value for a period, with its evidence",
                    "parameters": [ALLIANCE],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/KpiResultInput"}
                            }
                        },
                    },
                    "responses": {
                        "201": _json("KpiResult", "Recorded."),
                        "400": _json(
                            "Error",
                            "Not valid: the code and message say why. The request's: "
                            "json_invalid, json_too_deep, text_invalid, body_invalid, "
                            "date_invalid, value_invalid, kpi_value_invalid. The terms': "
                            "kpi_unknown, kpi_computed (computed from data, not entered), "
                            "kpi_date_outside_year, kpi_date_future, evidence_required, "
                            "text_character, text_too_long, and kpi_value_out_of_range (the "
                            "value outside its unit's range: a share 0-100 %, durations, "
                            "counts and euros 0 or more; the message names the range).",
                        ),
                        "403": _json("Error", "You may not record KPI results here."),
                        **ERRORS,
                    },
                }
            },
            "/alliances/{id}/settlements/": {
                "get": {
                    "operationId": "listSettlements",
                    "summary": "The alliance's settlements, every version",
                    "parameters": [
                        ALLIANCE,
                        {
                            "name": "year",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "integer"},
                        },
                    ],
                    "responses": {
                        "200": _json("Settlements", "The settlements."),
                        "400": _json("Error", "The year is not a number."),
                        **ERRORS,
                    },
                }
            },
            "/alliances/{id}/settlements/{settlement}/": {
                "get": {
                    "operationId": "getSettlement",
                    "summary": "One settlement with its inputs, result and invoices",
                    "parameters": [
                        ALLIANCE,
                        {
                            "name": "settlement",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                    ],
                    "responses": {"200": _json("Settlement", "The settlement."), **ERRORS},
                }
            },
            "/alliances/{id}/totals/": {
                "get": {
                    "operationId": "getTotals",
                    "summary": "A period's totals from the open books",
                    "parameters": [
                        ALLIANCE,
                        {
                            "name": "start",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                            "example": "2026-01",
                            "description": "The first month, 2026-01.",
                        },
                        {
                            "name": "end",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                            "example": "2026-03",
                            "description": "The last month, included, 2026-03.",
                        },
                    ],
                    "responses": {
                        "200": _json("Totals", "The totals."),
                        "400": _json(
                            "Error",
                            "The months are not valid: month_invalid, period_invalid (the end "
                            "before the start), period_outside_term (no month within the "
                            "alliance's term; the message names it).",
                        ),
                        **ERRORS,
                    },
                }
            },
            **REFERRAL_PATHS,
            **OUTCOME_PATHS,
            **CATALOGUE_PATHS,
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Authorization: Bearer alli_…",
                }
            },
        },
    }
