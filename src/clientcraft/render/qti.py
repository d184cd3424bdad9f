"""QTI 2.1 content package: one ``assessmentItem`` per scenario, zipped with an ``imsmanifest.xml``.

Each item has a single-cardinality identifier ``RESPONSE`` whose ``correctResponse`` is the best
option and whose ``mapping`` gives every option its credit (partial credit); response processing
sets ``SCORE`` from that mapping and ``FEEDBACK`` to the chosen option, which shows that option's
``modalFeedback`` (its feedback, consequence, the takeaway and the source). Choices are shuffled.
The item identifier is the scenario id. Markdown is rendered to XHTML in the QTI namespace.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from clientcraft.bank import Bank, Scenario
from clientcraft.render import markup

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/qtiv2p1_imscpv1p2_v1p0.xsd"
ITEM_TYPE = "imsqti_item_xmlv2p1"
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# Fixed timestamp for every zip entry, so the same bank always gives the same bytes.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def identifier(scenario: Scenario) -> str:
    """The item identifier: the scenario id (QTI identifiers may not start with a digit, so such
    an id gets an ``s-`` prefix)."""
    return scenario.id if _NCNAME.match(scenario.id) else f"s-{scenario.id}"


def _xhtml(html: str) -> list[etree._Element | str]:
    """An HTML fragment from :mod:`markup` as QTI-namespace nodes (text first, then elements)."""
    wrapper = etree.fromstring(f'<div xmlns="{QTI_NS}">{html}</div>')
    return [wrapper.text or "", *wrapper]


def _fill(element: etree._Element, html: str) -> etree._Element:
    text, *children = _xhtml(html)
    element.text = (element.text or "") + str(text) if text else element.text
    element.extend(children)
    return element


def _sub(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(
        parent, _q(tag), {k.replace("_", "-"): v for k, v in attributes.items()}
    )


def _value(parent: etree._Element, text: str) -> None:
    _sub(parent, "value").text = text


def _response_processing(item: etree._Element) -> None:
    """SCORE = the mapped credit of the chosen option (0 if none); FEEDBACK = the chosen option."""
    processing = _sub(item, "responseProcessing")
    condition = _sub(processing, "responseCondition")
    if_null = _sub(condition, "responseIf")
    _sub(_sub(if_null, "isNull"), "variable", identifier="RESPONSE")
    score_zero = _sub(if_null, "setOutcomeValue", identifier="SCORE")
    _sub(score_zero, "baseValue", baseType="float").text = "0"
    otherwise = _sub(condition, "responseElse")
    mapped = _sub(otherwise, "setOutcomeValue", identifier="SCORE")
    _sub(mapped, "mapResponse", identifier="RESPONSE")
    feedback = _sub(otherwise, "setOutcomeValue", identifier="FEEDBACK")
    _sub(feedback, "variable", identifier="RESPONSE")


def item(bank: Bank, scenario: Scenario) -> bytes:
    """One scenario as a QTI 2.1 ``assessmentItem`` document."""
    root = etree.Element(
        _q("assessmentItem"),
        {
            f"{{{XSI_NS}}}schemaLocation": f"{QTI_NS} {QTI_XSD}",
            "identifier": identifier(scenario),
            "title": scenario.id,
            "adaptive": "false",
            "timeDependent": "false",
        },
        nsmap={None: QTI_NS, "xsi": XSI_NS},
    )
    response = _sub(
        root,
        "responseDeclaration",
        identifier="RESPONSE",
        cardinality="single",
        baseType="identifier",
    )
    _value(_sub(response, "correctResponse"), scenario.best.key)
    mapping = _sub(response, "mapping", lowerBound="0", upperBound="1", defaultValue="0")
    for option in scenario.options:
        _sub(mapping, "mapEntry", mapKey=option.key, mappedValue=f"{option.credit:g}")
    score = _sub(
        root, "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float"
    )
    _value(_sub(score, "defaultValue"), "0")
    max_score = _sub(
        root, "outcomeDeclaration", identifier="MAXSCORE", cardinality="single", baseType="float"
    )
    _value(_sub(max_score, "defaultValue"), "1")
    _sub(
        root,
        "outcomeDeclaration",
        identifier="FEEDBACK",
        cardinality="single",
        baseType="identifier",
    )

    body = _fill(_sub(root, "itemBody"), markup.block(scenario.situation))
    interaction = _sub(
        body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="true", maxChoices="1"
    )
    _fill(_sub(interaction, "prompt"), markup.inline(scenario.question))
    for option in scenario.options:
        _fill(_sub(interaction, "simpleChoice", identifier=option.key), markup.inline(option.text))

    _response_processing(root)
    closing = markup.general_feedback_html(bank, scenario)
    for option in scenario.options:
        feedback = _sub(
            root,
            "modalFeedback",
            outcomeIdentifier="FEEDBACK",
            identifier=option.key,
            showHide="show",
            title=f"Option {option.key}: credit {option.credit:g}",
        )
        _fill(feedback, markup.option_feedback_html(option) + "\n" + closing)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def item_path(scenario: Scenario) -> str:
    """Where an item lives inside the package."""
    return f"items/{identifier(scenario)}.xml"


def manifest(bank: Bank, scenarios: tuple[Scenario, ...]) -> bytes:
    """The package's ``imsmanifest.xml``: one ``imsqti_item_xmlv2p1`` resource per item."""
    cp = f"{{{CP_NS}}}"
    root = etree.Element(
        f"{cp}manifest",
        {
            "identifier": "clientcraft-qti",
            f"{{{XSI_NS}}}schemaLocation": f"{CP_NS} {CP_XSD}",
        },
        nsmap={None: CP_NS, "xsi": XSI_NS},
    )
    root.append(
        etree.Comment(f" Generated from {bank.root.name}/ by clientcraft export; do not edit. ")
    )
    metadata = etree.SubElement(root, f"{cp}metadata")
    etree.SubElement(metadata, f"{cp}schema").text = "QTIv2.1 Package"
    etree.SubElement(metadata, f"{cp}schemaversion").text = "1.0.0"
    etree.SubElement(root, f"{cp}organizations")
    resources = etree.SubElement(root, f"{cp}resources")
    for scenario in scenarios:
        path = item_path(scenario)
        resource = etree.SubElement(
            resources,
            f"{cp}resource",
            identifier=f"res-{identifier(scenario)}",
            type=ITEM_TYPE,
            href=path,
        )
        etree.SubElement(resource, f"{cp}file", href=path)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def write_package(bank: Bank, scenarios: tuple[Scenario, ...], out: Path) -> None:
    """Write the zip: ``imsmanifest.xml`` at the root, the items under ``items/``."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [("imsmanifest.xml", manifest(bank, scenarios))]
        entries += [(item_path(s), item(bank, s)) for s in scenarios]
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED)
