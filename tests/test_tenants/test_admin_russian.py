"""Every registered admin page of both sites reads in Russian: a walk over each ModelAdmin's list, add
form and the change form of one object, with a Russian browser, fails on any English text a person
would read (column headers, labels, history event names, buttons, headings).

What counts as English: a text node of the page (not a script, a style, a form's value, nor a value
that is data such as an e-mail, a host or a code) made only of Latin words. Data the test itself put
in (the municipalities' Latin slugs and names) is allowed by name."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import Client
from django_tenants.utils import schema_context

from tests.conftest import login
from tests.support.appeals import ROAD

SKIPPED_TAGS = {"script", "style", "textarea", "code", "pre", "option", "select", "noscript"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
ENGLISH = re.compile(r"^[A-Za-z][A-Za-z’'\- ]*[A-Za-z]$")
# Not words to translate: names of things (formats, standards, products), codes and data of the fixtures.
ALLOWED = {
    "XLSX", "CSV", "API", "TOTP", "SSTU", "JSON", "OKTMO", "INN", "OGRN", "ID", "URL", "SHA", "HMAC", "Gorodok",
    "Alpha", "Beta", "alpha", "beta", "Asia", "Krasnoyarsk", "Asia/Krasnoyarsk", "localhost", "public", "dev",
    "http", "https", "PDF", "GraphQL", "Open", "Chart", "Inter",
    "default",  # the name of a job queue
}
# Role codes name Django groups (public contracts, never translated values): a group's name is data.
ROLE_CODES = {"reporter", "viewer", "Viewer", "Reporter"}
HASH_PIECE = re.compile(r"^[A-Za-z]*[a-z][A-Z][A-Za-z]*$")  # e.g. the excerpt of a password hash: "MkWaMD"


class TextNodes(HTMLParser):
    """The text nodes a person reads: not in scripts, styles, form values, keyboard hints, isolated data
    (``<bdi>``: e.g. the random pieces of a password hash, ``<strong>salt</strong>: <bdi>ODIIJv</bdi>``) or icons
    (the theme's icons are ligatures of the Material Symbols font: ``<span class="material-symbols-...">search``)."""

    def __init__(self):
        super().__init__()
        self.skipped: list[str] = []
        self.nodes: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        classes = dict(attrs).get("class") or ""
        if self.skipped or tag in SKIPPED_TAGS or tag in ("kbd", "bdi") or "material-symbols" in classes:
            self.skipped.append(tag)

    def handle_endtag(self, tag):
        if self.skipped and self.skipped[-1] == tag:
            self.skipped.pop()

    def handle_data(self, data):
        if data.strip().startswith(":"):
            return  # a value after its bold label ("<strong>salt</strong>: KBIFgx"): data, not words
        text = " ".join(data.split()).strip(" :.,;()«»\"—-–·›|*")
        if text and not self.skipped:
            self.nodes.append(text)


def english_texts(page: str) -> list[str]:
    parser = TextNodes()
    parser.feed(page)
    found = []
    for text in parser.nodes:
        if not ENGLISH.match(text) or text in ALLOWED or text in ROLE_CODES or HASH_PIECE.match(text):
            continue
        words = [w for w in re.split(r"[ \-]", text) if w]
        if all(word in ALLOWED or len(word) < 3 for word in words):
            continue
        found.append(text)
    return found


def walk(client: Client, host: str, site, schema: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def check(url: str) -> None:
        response = client.get(url, HTTP_HOST=host)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            return
        found = english_texts(response.content.decode())
        if found:
            problems[url] = sorted(set(found))

    check("/admin/")
    for model, model_admin in site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        check(base)
        check(base + "add/")
        with schema_context(schema):
            pk = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        if pk is not None:
            check(f"{base}{pk}/change/")
    return problems


def _russian_client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="ru")


def test_the_back_office_reads_in_russian(alpha, db):
    from gorodok_services.appeals import services
    from gorodok_services.appeals.models import Appeal
    from gorodok_tenants.console.sites import back_office

    with schema_context(alpha.schema_name):
        if not Appeal.objects.exists():
            # Received, not registered: a registration would spend a number of the municipality's register.
            services.appeal_receive(data=services.AppealIntake(
                channel="post", kind="statement", subject="Яма на дороге", text="Яма у дома 5",
                applicant_name="Иванов И. И.", applicant_address="ул. Ленина, 1",
                questions=[services.QuestionInput(ROAD, "Ремонт дороги")]))
    client = _russian_client()
    login(client, alpha.host, alpha.admin_email)
    problems = walk(client, alpha.host, back_office, alpha.schema_name)
    assert problems == {}, "\n".join(f"{url}: {texts}" for url, texts in problems.items())


def test_the_console_reads_in_russian(alpha, regional_admin, region_host, db):
    from gorodok_tenants.console.sites import region_console
    from gorodok_tenants.models import ConsoleTask, ConsoleTaskKind, ConsoleTaskStatus

    ConsoleTask.objects.create(kind=ConsoleTaskKind.EXPORT, municipality=alpha.municipality,
                               status=ConsoleTaskStatus.RUNNING, steps_total=3, steps_done=1,
                               step="выгрузка схемы", created_by=regional_admin.email)
    client = _russian_client()
    login(client, region_host, regional_admin.email)
    problems = walk(client, region_host, region_console, "public")
    assert problems == {}, "\n".join(f"{url}: {texts}" for url, texts in problems.items())
