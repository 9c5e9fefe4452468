from ._util_diagnostics import wait_for
from .conftest import start


async def test_push_diagnostics_on_never_opened_job_file(client, project):
    await start(client, project)
    uri = (project / "jobs-pitfalls.txt").as_uri()
    assert await wait_for(lambda: uri in client.diagnostics)
    codes = sorted((d.range.start.line, d.code) for d in client.diagnostics[uri])
    assert (9, "missing-script") in codes
