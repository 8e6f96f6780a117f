"""Russian first, English too: every Russian catalogue entry is translated and is what users see."""

from django.utils import translation

from gorodok_platform.i18n import catalog_problems, package_catalogs
from tests.conftest import graphql


def test_every_catalogue_is_complete():
    catalogs = package_catalogs()
    languages = {path.parents[1].name for path in catalogs}
    assert {"ru", "en"} <= languages
    assert len([p for p in catalogs if p.parents[1].name == "ru"]) >= 6
    problems = [problem for path in catalogs for problem in catalog_problems(path)]
    assert problems == []


def test_russian_is_the_default_and_english_is_available(alpha):
    from django.test import Client

    client = Client()  # no Accept-Language at all: Russian
    query = "{ appeals(first: 1) { totalCount } }"
    status, body = graphql(client, alpha.host, query)
    assert any("а" <= ch <= "я" for ch in body["errors"][0]["message"].lower()), body
    status, body = graphql(client, alpha.host, query, HTTP_ACCEPT_LANGUAGE="en")
    assert body["errors"][0]["message"].startswith("Sign in")


def test_model_labels_are_translated():
    from gorodok_services.appeals.models import AppealStatus, QuestionResult
    from gorodok_tenants.models import MunicipalityKind

    with translation.override("ru"):
        assert str(MunicipalityKind.URBAN_OKRUG.label) == "Городской округ"
        assert str(AppealStatus.REGISTERED.label) == "зарегистрировано"
        assert str(QuestionResult.MEASURES_TAKEN.label) != "considered: supported, measures taken"
    with translation.override("en"):
        assert str(AppealStatus.REGISTERED.label) == "registered"
