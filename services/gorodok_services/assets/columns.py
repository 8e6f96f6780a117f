"""The columns of the register as the extract writes them and the import reads them (Russian headers
in the layout of order 163n; the import also knows the field codes and a few common variants)."""

from __future__ import annotations

# field code -> the extract's header
ASSET_HEADERS = {
    "register_number": "Реестровый номер",
    "kind": "Вид объекта",
    "name": "Наименование",
    "purpose": "Назначение",
    "address": "Адрес (местоположение)",
    "cadastral_number": "Кадастровый номер",
    "cadastral_date": "Дата присвоения кадастрового номера",
    "area": "Площадь, кв. м",
    "length": "Протяжённость, м",
    "parameters": "Иные параметры",
    "cadastral_value": "Кадастровая стоимость, руб.",
    "latitude": "Широта",
    "longitude": "Долгота",
    "make": "Марка",
    "model": "Модель",
    "year": "Год выпуска",
    "vin": "VIN",
    "plate": "Государственный регистрационный знак",
    "inventory_number": "Инвентарный номер",
    "serial_number": "Заводской номер",
    "share_percent": "Доля (вклад), %",
    "especially_valuable": "Особо ценное движимое имущество",
    "right_type": "Вид права",
    "holder_name": "Правообладатель",
    "holder_inn": "ИНН правообладателя",
    "balance_value": "Балансовая стоимость, руб.",
    "residual_value": "Остаточная стоимость, руб.",
    "values_date": "Дата сведений о стоимости",
    "acquisition_documents": "Основания возникновения права",
    "termination_documents": "Основания прекращения права",
    "encumbrances": "Ограничения (обременения)",
    "included_on": "Дата включения в реестр",
}

REAL_ESTATE_COLUMNS = (
    "register_number", "kind", "name", "purpose", "address", "cadastral_number", "cadastral_date", "area", "length",
    "parameters", "cadastral_value", "latitude", "longitude", "right_type", "holder_name", "holder_inn",
    "balance_value", "residual_value", "values_date", "acquisition_documents", "encumbrances", "included_on",
)
MOVABLE_COLUMNS = (
    "register_number", "kind", "name", "purpose", "make", "model", "year", "vin", "plate", "inventory_number",
    "serial_number", "share_percent", "especially_valuable", "address", "right_type", "holder_name", "holder_inn",
    "balance_value", "residual_value", "values_date", "acquisition_documents", "encumbrances", "included_on",
)
HOLDER_HEADERS = {
    "name": "Полное наименование",
    "short_name": "Сокращённое наименование",
    "kind": "Организационная форма",
    "inn": "ИНН",
    "ogrn": "ОГРН",
    "address": "Адрес",
    "head_name": "Руководитель",
    "head_position": "Должность руководителя",
}

# What an import can fill (computed and list columns of the extract are not read back).
IMPORT_FIELDS = (
    "register_number", "kind", "name", "purpose", "address", "cadastral_number", "cadastral_date", "area", "length",
    "parameters", "cadastral_value", "latitude", "longitude", "make", "model", "year", "vin", "plate",
    "inventory_number", "serial_number", "share_percent", "especially_valuable", "right_type", "holder_inn",
    "balance_value", "residual_value", "values_date", "included_on",
)
REQUIRED_IMPORT_FIELDS = ("kind", "name", "right_type", "holder_inn")
# Columns of the extract an import recognises and leaves alone.
IGNORED_EXTRACT_COLUMNS = ("holder_name", "acquisition_documents", "termination_documents", "encumbrances")

EXTRA_ALIASES = {
    "реестровый №": "register_number", "номер в реестре": "register_number",
    "вид": "kind", "тип объекта": "kind",
    "наименование объекта": "name",
    "адрес": "address", "местоположение": "address",
    "кадастровый №": "cadastral_number",
    "площадь": "area", "площадь, м2": "area", "протяженность, м": "length", "протяженность": "length",
    "балансовая стоимость": "balance_value", "остаточная стоимость": "residual_value",
    "кадастровая стоимость": "cadastral_value",
    "инн": "holder_inn", "гос. номер": "plate", "госномер": "plate", "инв. номер": "inventory_number",
    "год": "year", "особо ценное": "especially_valuable",
}


def normalise_header(text) -> str:
    return " ".join(str(text or "").replace("\u00a0", " ").replace("ё", "е").replace("Ё", "Е").split()).strip(
        " :.").lower()


def header_aliases() -> dict[str, str]:
    """Normalised header -> field code ("" for a known extract column the import leaves alone)."""
    aliases: dict[str, str] = {}
    for code, header in ASSET_HEADERS.items():
        target = code if code in IMPORT_FIELDS else ""
        aliases[normalise_header(header)] = target
        aliases[normalise_header(code)] = target
    aliases.update({normalise_header(k): v for k, v in EXTRA_ALIASES.items()})
    aliases[normalise_header("Раздел")] = ""
    aliases[normalise_header("Статус")] = ""
    return aliases
