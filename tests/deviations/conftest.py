import pytest

from riskmgmt.deviations import services


@pytest.fixture
def file_report(org, reporter):
    """Files a report through the service as the staff member on Mottagningsenheten."""

    def _file(kind="lex_sarah", actor=None, **fields):
        data = {"title": "Skyddsbedömning gjordes inte samma dag",
                "description": "Anmälan kom in på fredagen och skyddsbedömningen gjordes först på måndagen.",
                "unit": org["mott"], **fields}
        return services.deviation_file(actor=actor or reporter, kind=kind, **data)

    return _file
