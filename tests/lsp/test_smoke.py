import asyncio

from lsprotocol import types

from .conftest import start


async def wait_for(predicate, timeout=20.0):
    end = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < end:
        if predicate():
            return True
        await asyncio.sleep(0.02)
    return False


async def test_push_diagnostics_on_never_opened_job_file(client, project):
    await start(client, project)
    uri = (project / "jobs-pitfalls.txt").as_uri()
    assert await wait_for(lambda: uri in client.diagnostics)
    codes = sorted((d.range.start.line, d.code) for d in client.diagnostics[uri])
    assert (9, "missing-script") in codes
