"""Profile one page in-process with pyinstrument, signed in as a given account (for finding what is slow).

    DATABASE_URL=… TASKTRACK_TODAY=2024-07-18 python -m bench.profile /my/tasks --email u00005@bench.example.org
"""

from __future__ import annotations

import argparse
import re
import time

from bench.generate import PASSWORD, SECRETARIAT_EMAIL


def main(argv: list[str] | None = None) -> None:
    """Command line: request the page ``--repeat`` times under the profiler and print the call tree."""
    from pyinstrument import Profiler

    from tasktrack import create_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--email", default=SECRETARIAT_EMAIL)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    app = create_app()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None
    response = client.post("/login", data={"csrf_token": token.group(1), "email": args.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    assert client.get(args.path).status_code == 200
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for _ in range(args.repeat):
            client.get(args.path)
    elapsed = time.perf_counter() - started
    print(f"{args.path}: {1000 * elapsed / args.repeat:.1f} ms a request over {args.repeat}")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
