"""API v1 foundation: token auth, /me/, units and processes (API.md, Conventions and Resources)."""

import pytest
from rest_framework.authtoken.models import Token

from riskmgmt.organisation.models import Unit
from tests.factories import ProcessFactory, UnitFactory

PAGE_KEYS = {"count", "next", "previous", "results"}


@pytest.fixture
def as_user(api_client):
    def as_user(user):
        token, _ = Token.objects.get_or_create(user=user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api_client

    return as_user


# ---------------------------------------------------------------- auth


def test_token_with_good_credentials_then_use_it(api_client, reporter):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "reporter", "password": "losen-123"}, format="json"
    )
    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "reporter"


@pytest.mark.parametrize(
    "body",
    [
        {"username": "reporter", "password": "fel-losen"},
        {"username": "finns-inte", "password": "losen-123"},
        {"username": "reporter"},
        {},
    ],
)
def test_token_with_bad_credentials_is_400(api_client, reporter, body):
    response = api_client.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_token_for_a_deactivated_user_is_400(api_client, reporter):
    reporter.is_active = False
    reporter.save()
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "reporter", "password": "losen-123"}, format="json"
    )
    assert response.status_code == 400


def test_token_with_a_broken_body_is_400(api_client, reporter):
    response = api_client.post(
        "/api/v1/auth/token/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/units/", "/api/v1/processes/"])
def test_missing_token_is_401(api_client, org, path):
    response = api_client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("header", ["Token nonsense", "Token ", "Token a b", "Bearer x"])
def test_bad_token_is_401(api_client, reporter, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401


def test_token_of_a_deactivated_user_is_401(as_user, reporter):
    client = as_user(reporter)
    reporter.is_active = False
    reporter.save()
    assert client.get("/api/v1/me/").status_code == 401


def test_session_login_works_too(api_client, reporter):
    assert api_client.login(username="reporter", password="losen-123")
    assert api_client.get("/api/v1/me/").status_code == 200


# ---------------------------------------------------------------- /me/


def test_me(as_user, section_manager, org):
    response = as_user(section_manager).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": section_manager.pk,
        "username": "section_manager",
        "full_name": "Sara Lindqvist",
        "memberships": [
            {"unit": org["fam"].pk, "unit_code": "fam", "role": "section_manager"},
        ],
    }


def test_me_for_an_outsider_has_no_memberships(as_user, outsider):
    body = as_user(outsider).get("/api/v1/me/").json()
    assert body["memberships"] == []
    assert body["full_name"] == "Otto Utanför"


# ---------------------------------------------------------------- lists: shape and scope


def test_units_list_is_paginated_and_has_the_contract_fields(as_user, section_manager, org):
    body = as_user(section_manager).get("/api/v1/units/").json()
    assert set(body) == PAGE_KEYS
    assert body["count"] == 3
    assert body["next"] is None
    assert body["previous"] is None
    assert body["results"][0] == {
        "id": org["fam"].pk,
        "code": "fam",
        "name": "Familjesektionen",
        "kind": "section",
        "parent": org["sof"].pk,
    }


def test_processes_list_is_paginated_and_has_the_contract_fields(as_user, unit_manager, org):
    body = as_user(unit_manager).get("/api/v1/processes/").json()
    assert set(body) == PAGE_KEYS
    assert body["results"] == [
        {"id": org["mottagning"].pk, "name": "Mottagning och förhandsbedömning",
         "unit": org["mott"].pk, "parent": None},
    ]


@pytest.mark.parametrize(
    ("persona", "units", "processes"),
    [
        ("reporter", {"mott"}, {"mottagning"}),
        ("unit_manager", {"mott"}, {"mottagning"}),
        ("section_manager", {"fam", "mott", "plac"}, {"mottagning", "placering"}),
        ("other_manager", {"miss"}, {"lvm"}),
        ("quality", {"sof", "fam", "vux", "mott", "plac", "miss"},
         {"mottagning", "placering", "lvm"}),
        ("management", {"sof", "fam", "vux", "mott", "plac", "miss"},
         {"mottagning", "placering", "lvm"}),
        ("outsider", set(), set()),
    ],
)
def test_lists_are_scoped(as_user, personas, org, persona, units, processes):
    client = as_user(personas[persona])
    unit_body = client.get("/api/v1/units/").json()
    assert {u["code"] for u in unit_body["results"]} == units
    assert unit_body["count"] == len(units)
    process_body = client.get("/api/v1/processes/").json()
    assert {p["id"] for p in process_body["results"]} == {org[name].pk for name in processes}
    assert process_body["count"] == len(processes)


def test_list_filters(as_user, quality, org):
    client = as_user(quality)
    body = client.get("/api/v1/units/", {"kind": "section"}).json()
    assert {u["code"] for u in body["results"]} == {"fam", "vux"}
    body = client.get("/api/v1/units/", {"parent": org["fam"].pk}).json()
    assert {u["code"] for u in body["results"]} == {"mott", "plac"}
    body = client.get("/api/v1/processes/", {"unit": org["miss"].pk}).json()
    assert [p["id"] for p in body["results"]] == [org["lvm"].pk]


def test_a_filter_does_not_reveal_units_outside_the_scope(as_user, section_manager, org):
    client = as_user(section_manager)
    missing = Unit.objects.order_by("-pk").first().pk + 1000
    for path, key in (("/api/v1/processes/", "unit"), ("/api/v1/units/", "parent")):
        out_of_scope = client.get(path, {key: org["vux"].pk if key == "parent" else org["miss"].pk})
        absent = client.get(path, {key: missing})
        assert out_of_scope.status_code == absent.status_code == 200
        assert out_of_scope.json() == absent.json()
        assert out_of_scope.json()["count"] == 0


# ---------------------------------------------------------------- page size


@pytest.fixture
def many_units(org):
    for i in range(250):
        UnitFactory(code=f"extra-{i:03}", parent=org["plac"])


@pytest.mark.parametrize(
    ("query", "size"),
    [({}, 50), ({"page_size": 2}, 2), ({"page_size": 200}, 200), ({"page_size": 1000}, 200),
     ({"page_size": "abc"}, 50), ({"page_size": 0}, 50), ({"page_size": -5}, 50)],
)
def test_page_size_is_honoured_up_to_200(as_user, quality, many_units, query, size):
    body = as_user(quality).get("/api/v1/units/", query).json()
    assert body["count"] == 256
    assert len(body["results"]) == size
    assert body["next"] is not None


def test_pages_link_to_each_other(as_user, quality, many_units):
    client = as_user(quality)
    first = client.get("/api/v1/units/", {"page_size": 100}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert second["previous"] is not None
    assert third["next"] is None
    assert len(third["results"]) == 56
    seen = [u["id"] for page in (first, second, third) for u in page["results"]]
    assert len(set(seen)) == 256


def test_process_page_size(as_user, quality, org):
    for i in range(210):
        ProcessFactory(unit=org["miss"], name=f"Process {i:03}")
    client = as_user(quality)
    assert len(client.get("/api/v1/processes/", {"page_size": 500}).json()["results"]) == 200
    assert len(client.get("/api/v1/processes/", {"page_size": 3}).json()["results"]) == 3


# ---------------------------------------------------------------- detail: 404 outside scope


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("reporter", {"mott"}),
        ("section_manager", {"fam", "mott", "plac"}),
        ("other_manager", {"miss"}),
        ("quality", {"sof", "fam", "vux", "mott", "plac", "miss"}),
        ("outsider", set()),
    ],
)
def test_unit_detail_is_404_outside_the_scope(as_user, personas, org, persona, visible):
    client = as_user(personas[persona])
    for code in ("sof", "fam", "vux", "mott", "plac", "miss"):
        response = client.get(f"/api/v1/units/{org[code].pk}/")
        if code in visible:
            assert response.status_code == 200, code
            assert response.json()["code"] == code
        else:
            assert response.status_code == 404, code
            assert "code" not in response.json()


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("reporter", {"mottagning"}),
        ("section_manager", {"mottagning", "placering"}),
        ("other_manager", {"lvm"}),
        ("management", {"mottagning", "placering", "lvm"}),
        ("outsider", set()),
    ],
)
def test_process_detail_is_404_outside_the_scope(as_user, personas, org, persona, visible):
    client = as_user(personas[persona])
    for name in ("mottagning", "placering", "lvm"):
        response = client.get(f"/api/v1/processes/{org[name].pk}/")
        if name in visible:
            assert response.status_code == 200, name
            assert response.json()["id"] == org[name].pk
        else:
            assert response.status_code == 404, name


def test_a_missing_object_and_one_out_of_scope_look_the_same(as_user, section_manager, org):
    client = as_user(section_manager)
    out_of_scope = client.get(f"/api/v1/units/{org['miss'].pk}/")
    missing = client.get("/api/v1/units/987654/")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()


# ---------------------------------------------------------------- no input gives 500


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/units/abc/", {}),
        ("/api/v1/processes/abc/", {}),
        ("/api/v1/units/-1/", {}),
        ("/api/v1/units/99999999999999999999999999/", {}),
        ("/api/v1/processes/99999999999999999999999999/", {}),
        ("/api/v1/units/", {"page": 999999999}),
        ("/api/v1/units/", {"page": "abc"}),
        ("/api/v1/units/", {"page": 0}),
        ("/api/v1/units/", {"page": "99999999999999999999999999999"}),
        ("/api/v1/units/", {"parent": "abc"}),
        ("/api/v1/units/", {"parent": "99999999999999999999999999"}),
        ("/api/v1/units/", {"kind": "department"}),
        ("/api/v1/processes/", {"unit": "abc"}),
        ("/api/v1/processes/", {"unit": "99999999999999999999999999"}),
        ("/api/v1/processes/", {"parent": "1e5"}),
        ("/api/v1/processes/", {"page_size": "99999999999999999999999999"}),
    ],
)
def test_no_input_gives_500(as_user, quality, path, query):
    response = as_user(quality).get(path, query)
    assert response.status_code in {200, 400, 404}
    assert response.status_code < 500


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_read_only_resources_refuse_writes(as_user, quality, org, method):
    client = as_user(quality)
    assert getattr(client, method)("/api/v1/units/", {}, format="json").status_code == 405
    response = getattr(client, method)(f"/api/v1/units/{org['mott'].pk}/", {}, format="json")
    assert response.status_code == 405


# ---------------------------------------------------------------- schema


def test_schema_describes_the_paths(api_client, db):
    response = api_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/units/",
        "/api/v1/units/{id}/",
        "/api/v1/processes/",
        "/api/v1/processes/{id}/",
    ):
        assert path in schema["paths"], path
    units = schema["paths"]["/api/v1/units/"]["get"]
    parameters = {p["name"] for p in units["parameters"]}
    assert {"page", "page_size"} <= parameters


def test_schema_yaml_by_default(api_client, db):
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/units/" in response.content


# ---------------------------------------------------------------- query counts


def _queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("path", ["/api/v1/units/", "/api/v1/processes/", "/api/v1/me/"])
def test_queries_do_not_grow_with_the_number_of_rows(as_user, quality, org, path):
    client = as_user(quality)
    few = _queries(client, path)
    for i in range(40):
        unit = UnitFactory(code=f"extra-{i:03}", parent=org["plac"])
        ProcessFactory(unit=unit)
    assert _queries(client, path) == few
    assert few <= 4


@pytest.mark.parametrize("path", ["/api/v1/units/abc/", "/api/v1/nothing/", "/api/v2/units/"])
def test_unknown_api_paths_answer_json_404(api_client, reporter, path):
    api_client.force_authenticate(reporter)
    response = api_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Hittades inte."}
