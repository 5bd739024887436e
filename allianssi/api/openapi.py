"""The OpenAPI 3.1 document of the JSON API. Its schemas are JSON Schema (2020-12); the tests
validate the document itself and every response the API gives against them."""

from __future__ import annotations

from typing import Any

from allianssi.alliances.models import Phase, ServiceArea
from allianssi.openbook.models import CostCategory

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
        "properties": {
            "batch_id": {
                "type": "string",
                "maxLength": 100,
                "description": "The batch's id in your system: the same id is booked once.",
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


def document(server: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Allianssi",
            "version": "1",
            "description": (
                "For producers' and organizers' own systems: send costs to an alliance's open "
                "books and read its totals, record KPI results, and read settlements with their "
                "invoices. Make a token on the API tokens page; it acts as you, with your rights "
                "in each alliance."
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
                        "400": _json("Error", "Not a batch of the documented form."),
                        "403": _json("Error", "You may not book costs in this alliance."),
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
                        "400": _json("Error", "Not valid: the code and message say why."),
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
                            "description": "The first month, 2026-01.",
                        },
                        {
                            "name": "end",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                            "description": "The last month, included, 2026-03.",
                        },
                    ],
                    "responses": {
                        "200": _json("Totals", "The totals."),
                        "400": _json("Error", "The months are not valid."),
                        **ERRORS,
                    },
                }
            },
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
