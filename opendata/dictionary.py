"""The data dictionary: every column of every bulk download and every code of its choices,
with labels in every language of the site. Made from the exports' column definitions and the
models' choices (``opendata.datasets``), never written by hand."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst

from opendata.datasets import DATASETS, TYPE_LABELS, Dataset
from registry.exports import Column, clean_text, labels_of, neutralise

#: The languages of the dictionary: the site's (Norwegian bokmål, English).
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def in_languages(text: Any) -> dict[str, str]:
    """``text`` (a lazy translation) in every language: ``{"nb": ..., "en": ...}``."""
    result = {}
    for language in LANGUAGES:
        with translation.override(language):
            result[language] = capfirst(str(text)) if text not in (None, "") else ""
    return result


def _codes(column: Column) -> list[dict[str, Any]]:
    if column.choices is None:
        return []
    by_language = {}
    for language in LANGUAGES:
        with translation.override(language):
            by_language[language] = dict(labels_of(column.choices))
    return [
        {"code": code, "label": {language: by_language[language][code] for language in LANGUAGES}}
        for code in by_language[LANGUAGES[0]]
    ]


def _description(dataset: Dataset, column: Column) -> Any:
    if column.key in dataset.notes:
        return dataset.notes[column.key]
    model_field = dataset.model_field(column)
    return model_field.help_text if model_field is not None else ""


def column_entry(dataset: Dataset, column: Column) -> dict[str, Any]:
    column_type = dataset.column_type(column)
    return {
        "key": column.key,
        "label": in_languages(column.label),
        "description": in_languages(_description(dataset, column)),
        "type": column_type,
        "type_label": in_languages(TYPE_LABELS[column_type]),
        "codes": _codes(column),
    }


def dataset_entry(dataset: Dataset) -> dict[str, Any]:
    return {
        "dataset": dataset.slug,
        "title": in_languages(dataset.title),
        "description": in_languages(dataset.description),
        "columns": [column_entry(dataset, column) for column in dataset.spec.columns],
    }


def data_dictionary() -> list[dict[str, Any]]:
    """The dictionary of every dataset (no query)."""
    return [dataset_entry(dataset) for dataset in DATASETS]


CSV_HEADER = [
    "dataset",
    "column",
    "code",
    *(f"label_{language}" for language in LANGUAGES),
    "type",
    *(f"description_{language}" for language in LANGUAGES),
]


def dictionary_csv() -> str:
    """The dictionary as CSV (UTF-8 with a byte-order mark, as the list downloads): a row per
    column, then a row per code of that column (``code`` filled)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)

    def cell(text: Any) -> str:
        return neutralise(clean_text(text))

    for entry in data_dictionary():
        for column in entry["columns"]:
            writer.writerow(
                [
                    entry["dataset"],
                    column["key"],
                    "",
                    *(cell(column["label"][language]) for language in LANGUAGES),
                    column["type"],
                    *(cell(column["description"][language]) for language in LANGUAGES),
                ]
            )
            for code in column["codes"]:
                writer.writerow(
                    [
                        entry["dataset"],
                        column["key"],
                        code["code"],
                        *(cell(code["label"][language]) for language in LANGUAGES),
                        "",
                        *("" for _language in LANGUAGES),
                    ]
                )
    return buffer.getvalue()
